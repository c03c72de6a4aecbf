package ai.aster.model.engine;

import java.util.List;
import java.util.Map;

/**
 * What one choice produced in one engine step: new text (held back while it might still be part of a stop string),
 * the new token ids, their log-probs if asked for, and the finish reason once it ends.
 *
 * @param stopReason the stop string or stop token id that ended it (vLLM's {@code stop_reason}), else null
 */
public record ChoiceDelta(
        int index,
        String text,
        List<Integer> tokenIds,
        List<TokenLogprob> logprobs,
        String finishReason,
        Object stopReason) {

    /**
     * One generated token's log-prob (null when unknown, e.g. the model's logits were not finite: never a made-up
     * 0.0), its text, the top alternatives (text to log-prob) and its offset in the text.
     */
    public record TokenLogprob(String token, Double logprob, Map<String, Double> top, int textOffset) {}

    public boolean finished() {
        return finishReason != null;
    }
}
