package ai.aster.grading;

/**
 * What an answer may be extracted as, as Math-Verify's extraction configs: {@link #LATEX} looks for LaTeX
 * ({@code \boxed{}}, {@code $...$}, "final answer is" phrases), {@link #EXPR} for plain expressions and numbers
 * ("the answer is 12", a bare {@code 3/4}).
 */
public enum ExtractionTarget {
    LATEX,
    EXPR
}
