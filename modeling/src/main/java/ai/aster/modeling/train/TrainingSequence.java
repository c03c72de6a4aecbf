package ai.aster.modeling.train;

/**
 * One trajectory as the trainer sees it: the exact token sequence (prompt, each turn's completion, each tool
 * result), which positions are trained, and what the rollout engine said each token's log-probability was.
 *
 * @param tokens          the whole sequence, at least 2 tokens
 * @param lossMask        one entry per token: true on model-written tokens, false on prompt and tool tokens; position
 *                        0 is never predicted and must be false
 * @param rolloutLogprobs one entry per token, {@code log p(tokens[t] | tokens[0..t))} under the rollout policy;
 *                        {@code null} when unknown (SFT data), NaN for a single unknown token. Only trained positions
 *                        are read
 */
public record TrainingSequence(int[] tokens, boolean[] lossMask, float[] rolloutLogprobs) {

    public TrainingSequence {
        if (tokens == null || tokens.length < 2) {
            throw new IllegalArgumentException("a training sequence needs at least 2 tokens");
        }
        if (lossMask == null || lossMask.length != tokens.length) {
            throw new IllegalArgumentException("the loss mask needs one entry per token (" + tokens.length + ")");
        }
        if (lossMask[0]) {
            throw new IllegalArgumentException("position 0 has no context and cannot be trained");
        }
        if (rolloutLogprobs != null && rolloutLogprobs.length != tokens.length) {
            throw new IllegalArgumentException("rollout log-probs need one entry per token (" + tokens.length + ")");
        }
    }

    /** A sequence without rollout log-probabilities (SFT). */
    public TrainingSequence(int[] tokens, boolean[] lossMask) {
        this(tokens, lossMask, null);
    }

    /** How many tokens the loss counts. */
    public int trainedTokens() {
        int n = 0;
        for (boolean m : lossMask) {
            n += m ? 1 : 0;
        }
        return n;
    }

    /** Whether every trained token has a finite rollout log-probability (GRPO needs them for the TIS weight). */
    public boolean hasCompleteLogprobs() {
        if (rolloutLogprobs == null) {
            return false;
        }
        for (int t = 0; t < tokens.length; t++) {
            if (lossMask[t] && !Float.isFinite(rolloutLogprobs[t])) {
                return false;
            }
        }
        return true;
    }
}
