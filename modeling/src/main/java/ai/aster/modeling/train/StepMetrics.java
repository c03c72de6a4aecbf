package ai.aster.modeling.train;

/**
 * What one optimizer step did. Fractions and means are over the mini-batch's trained tokens.
 *
 * @param step             the optimizer step this was (1 for the first)
 * @param learningRate     the rate the step used
 * @param loss             the mini-batch loss (token-mean; the sum of the micro-batches' contributions)
 * @param gradNorm         global L2 norm of the gradient before clipping
 * @param clipFraction     GRPO: tokens where the clipped PPO term was taken (verl's {@code pg_clipfrac}); 0 for SFT
 * @param dualClipFraction GRPO: tokens with negative advantage capped by the dual clip ({@code pg_clipfrac_lower})
 * @param approxKl         GRPO: mean of {@code logp_old - logp} (k1, verl's {@code ppo_kl}); 0 for SFT
 * @param entropy          mean entropy of the model's next-token distribution at the trained positions
 * @param tokens           trained tokens in the mini-batch
 * @param sequences        sequences in the mini-batch
 * @param microBatches     micro-batches the mini-batch was split into
 * @param skipped          true when the gradient norm was not finite and the update was skipped (as verl)
 * @param forwardBackwardSeconds wall time of the forward and backward passes (old log-probs included)
 * @param optimizerSeconds       wall time of clipping and the AdamW update
 */
public record StepMetrics(int step, double learningRate, double loss, double gradNorm, double clipFraction,
        double dualClipFraction, double approxKl, double entropy, int tokens, int sequences, int microBatches,
        boolean skipped, double forwardBackwardSeconds, double optimizerSeconds) {}
