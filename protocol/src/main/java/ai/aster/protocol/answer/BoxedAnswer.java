package ai.aster.protocol.answer;

import java.util.Optional;

/** Extracts the final {@code \boxed{...}} answer of a solution, with nested braces ({@code \boxed{\frac{1}{2}}}). */
public final class BoxedAnswer {

    private static final String[] MARKERS = {"\\boxed", "\\fbox"};

    private BoxedAnswer() {}

    /** The content of the last {@code \boxed{...}} (or {@code \fbox{...}}, or {@code \boxed 5}) in the text. */
    public static Optional<String> last(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int from = text.length();
        while (from >= 0) {
            int at = -1;
            String marker = null;
            for (String m : MARKERS) {
                int i = text.lastIndexOf(m, from);
                if (i > at) {
                    at = i;
                    marker = m;
                }
            }
            if (at < 0) {
                return Optional.empty();
            }
            Optional<String> content = contentAt(text, at + marker.length());
            if (content.isPresent()) {
                return content;
            }
            from = at - 1;
        }
        return Optional.empty();
    }

    private static Optional<String> contentAt(String text, int i) {
        if (i < text.length() && text.charAt(i) == ' ') {
            // "\boxed 5": the answer runs to the next whitespace or "$"
            int start = i + 1;
            int end = start;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '$') {
                end++;
            }
            return end > start ? Optional.of(text.substring(start, end)) : Optional.empty();
        }
        if (i >= text.length() || text.charAt(i) != '{') {
            return Optional.empty();
        }
        int depth = 0;
        for (int j = i; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '\\' && j + 1 < text.length()) {
                j++; // an escaped brace (\{ or \}) does not open or close a group
                continue;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return Optional.of(text.substring(i + 1, j).strip());
            }
        }
        return Optional.empty(); // unbalanced: no answer
    }
}
