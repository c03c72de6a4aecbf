package ai.aster.modeling;

import java.util.List;

/**
 * One sampled token.
 *
 * @param tokenId the chosen token
 * @param logprob its log-probability under the model's raw distribution: log-softmax of the unmodified logits,
 *                before temperature, top-k or top-p (what vLLM returns by default), so RL sees the policy's own
 *                probability independent of the sampling settings
 * @param top     the {@code logprobs} most likely tokens under the same distribution, most likely first
 *                (empty when none were asked for)
 */
public record Sample(int tokenId, double logprob, List<TokenLogprob> top) {}
