package ai.aster.grading;

import java.util.regex.Pattern;

/** Whether an answer uses complex numbers, so that a lone {@code i} is the imaginary unit rather than a variable. */
final class Complexity {

    private static final Pattern COMPLEX = Pattern.compile(
            "\\\\mathbb\\{C\\}|\\\\i\\b|(?<![a-zA-Z\\\\])i(?![a-zA-Z])|\\\\text\\{i\\}|\\\\mathrm\\{i\\}|\\\\imath\\b");

    private Complexity() {}

    static boolean looksComplex(String text) {
        return COMPLEX.matcher(text).find();
    }
}
