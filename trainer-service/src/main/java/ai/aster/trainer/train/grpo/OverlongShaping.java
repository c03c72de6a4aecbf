package ai.aster.trainer.train.grpo;

/**
 * DAPO's soft overlong punishment, added to the outcome reward: no penalty up to {@code maxTokens - buffer}
 * completion tokens, then a linear ramp down to {@code -penalty} at {@code maxTokens}, and {@code -penalty} beyond.
 *
 * @param maxTokens the completion-token budget of a rollout (the requests' {@code max_tokens})
 * @param buffer    the ramp's length in tokens (DAPO: 4096 of 20480)
 * @param penalty   the penalty at and past the budget (DAPO: 1.0)
 */
public record OverlongShaping(int maxTokens, int buffer, double penalty) {

    public OverlongShaping {
        if (buffer < 1 || buffer > maxTokens || !(penalty >= 0)) {
            throw new IllegalArgumentException("need 1 <= buffer <= max_tokens and penalty >= 0");
        }
    }

    /** The reward's shaping term for a rollout of {@code completionTokens} tokens (0 or negative). */
    public double shaping(int completionTokens) {
        int expected = maxTokens - buffer;
        if (completionTokens <= expected) {
            return 0;
        }
        if (completionTokens <= maxTokens) {
            return (double) (expected - completionTokens) / buffer * penalty;
        }
        return -penalty;
    }
}
