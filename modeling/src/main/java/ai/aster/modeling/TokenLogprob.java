package ai.aster.modeling;

/** A token and its log-probability under the model's raw distribution (log-softmax of the logits). */
public record TokenLogprob(int tokenId, double logprob) {}
