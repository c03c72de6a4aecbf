package ai.aster.grading;

import java.util.List;
import java.util.Optional;

/**
 * Grades a model's answer against a reference answer the way Math-Verify does ({@code verify(parse(gold),
 * parse(prediction))}): both sides are extracted with the same targets ({@link AnswerExtractor}), normalised and
 * parsed ({@link LatexNormalizer}, {@link MathParser}), and compared ({@link Equivalence}): numbers, fractions,
 * radicals, sets, tuples, intervals, relations, matrices, and algebra through Symja.
 *
 * <p>Thread-safe and reusable: create one, share it, {@link #close()} it at the end. Integers and plain fractions
 * are decided in the calling thread without Symja; symbolic questions go to a fixed pool of Symja workers and the
 * caller waits at most {@link GradeOptions#timeout()} per comparison.
 */
public final class AnswerGrader implements AutoCloseable {

    private final AlgebraEngine algebra;

    /** A grader with one Symja worker per available processor (at most 4). */
    public AnswerGrader() {
        this(Math.min(4, Math.max(1, Runtime.getRuntime().availableProcessors())));
    }

    /** A grader with the given number of Symja worker threads (the most symbolic comparisons run at once). */
    public AnswerGrader(int algebraThreads) {
        if (algebraThreads < 1) {
            throw new IllegalArgumentException("algebraThreads must be at least 1, was " + algebraThreads);
        }
        this.algebra = new AlgebraEngine(algebraThreads);
    }

    /** Grades with {@link GradeOptions#defaults()}. */
    public GradeResult grade(String gold, String prediction) {
        return grade(gold, prediction, GradeOptions.defaults());
    }

    /**
     * Extracts gold and prediction with {@code options.extraction()} and compares every parsed form of one with
     * every parsed form of the other (and the extracted texts with each other). Never throws for bad input and
     * never takes much longer than {@code options.timeout()} per comparison: what cannot be parsed or compared in
     * time is graded wrong.
     */
    public GradeResult grade(String gold, String prediction, GradeOptions options) {
        AnswerExtractor.Extraction g = extract(gold, options);
        AnswerExtractor.Extraction p = extract(prediction, options);
        return new GradeResult(verify(g, p, options), g.display(), p.display());
    }

    private static AnswerExtractor.Extraction extract(String text, GradeOptions options) {
        try {
            return AnswerExtractor.extract(text, options.extraction(), Deadline.after(options.timeout()));
        } catch (Deadline.Expired | StackOverflowError e) {
            return new AnswerExtractor.Extraction(List.of(), "");
        }
    }

    private boolean verify(AnswerExtractor.Extraction gold, AnswerExtractor.Extraction pred, GradeOptions options) {
        for (MathNode g : gold.parsed()) {
            for (MathNode p : pred.parsed()) {
                Equivalence eq = new Equivalence(options, algebra, Deadline.after(options.timeout()));
                try {
                    if (eq.equal(g, p)) {
                        return true;
                    }
                } catch (Deadline.Expired | ArithmeticException | NumericValue.Unsupported | StackOverflowError e) {
                    // not shown equal in time: this pair counts as different
                }
            }
        }
        String gt = gold.fallbackText().strip();
        String pt = pred.fallbackText().strip();
        return !gt.isEmpty() && gt.equals(pt);
    }

    /**
     * The final answer of a model's output as text, found as {@link #grade} finds it (rightmost {@code \boxed{}},
     * "final answer is", "answer:", then LaTeX and numbers), normalised; empty when there is none.
     */
    public Optional<String> extractAnswer(String modelOutput) {
        AnswerExtractor.Extraction e = extract(modelOutput, GradeOptions.defaults());
        return e.fallbackText().isEmpty() ? Optional.empty() : Optional.of(e.fallbackText());
    }

    /** Stops the Symja worker threads. */
    @Override
    public void close() {
        algebra.close();
    }
}
