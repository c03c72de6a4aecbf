package ai.aster.grading;

/**
 * What an answer may be extracted as, as Math-Verify's extraction configs: {@link #LATEX} looks for LaTeX
 * ({@code \boxed{}}, {@code $...$}, "final answer is" phrases), {@link #EXPR} for plain expressions and numbers
 * ("the answer is 12", a bare {@code 3/4}).
 */
public enum ExtractionTarget {
    LATEX,
    EXPR;

    /** The target named as in Math-Verify's options ({@code "latex"}, {@code "expr"}; any case). */
    public static ExtractionTarget fromName(String name) {
        for (ExtractionTarget t : values()) {
            if (t.name().equalsIgnoreCase(name == null ? "" : name.strip())) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown extraction target '" + name + "' (expected latex or expr)");
    }
}
