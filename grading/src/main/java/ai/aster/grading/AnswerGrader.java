package ai.aster.grading;

import ai.aster.protocol.answer.BoxedAnswer;
import java.util.List;
import java.util.Optional;

/**
 * Grades a model's answer against a reference answer the way Math-Verify does: both sides are extracted with the
 * same targets, parsed to a symbolic form, and compared (numbers, sets, intervals, relations, matrices, algebra).
 * Thread-safe and reusable: create one and share it; {@link #close()} stops its comparison threads.
 */
public final class AnswerGrader implements AutoCloseable {

    public AnswerGrader() {}

    /** Grades with {@link GradeOptions#defaults()}. */
    public GradeResult grade(String gold, String prediction) {
        return grade(gold, prediction, GradeOptions.defaults());
    }

    /**
     * Extracts gold and prediction with {@code options.extraction()} and compares them. Never throws for bad
     * input and never blocks longer than about {@code options.timeout()} per comparison: what cannot be parsed
     * or compared in time is graded wrong.
     */
    public GradeResult grade(String gold, String prediction, GradeOptions options) {
        // skeleton: the rightmost \boxed{} or the whole text, compared as trimmed strings
        String g = extractAnswer(gold).orElse(gold == null ? "" : gold.strip());
        String p = extractAnswer(prediction).orElse(prediction == null ? "" : prediction.strip());
        boolean correct = !g.isEmpty() && g.equals(p);
        return new GradeResult(correct, g.isEmpty() ? List.of() : List.of(g, g), p.isEmpty() ? List.of() : List.of(p, p));
    }

    /** The final answer text of a model's output (rightmost {@code \boxed{}}, then final-answer phrases), if any. */
    public Optional<String> extractAnswer(String modelOutput) {
        return BoxedAnswer.last(modelOutput);
    }

    @Override
    public void close() {}
}
