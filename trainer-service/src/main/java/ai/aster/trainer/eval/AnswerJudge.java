package ai.aster.trainer.eval;

/**
 * Grades one answer against another; implemented over the {@code grading} module's grader. The harness uses it both
 * to score a sample against the reference and to group samples' answers for the majority vote.
 */
public interface AnswerJudge {

    /**
     * @param gold       the reference answer (or, for the majority vote, another sample's extracted answer)
     * @param prediction a model's answer text
     */
    Verdict judge(String gold, String prediction);

    /** Whether two answers already extracted from model outputs are the same answer (for the majority vote). */
    boolean sameAnswer(String extractedA, String extractedB);

    /**
     * @param correct   the prediction's answer equals the gold one
     * @param extracted the answer found in the prediction, as text; null when none was found
     */
    record Verdict(boolean correct, String extracted) {}
}
