package ai.aster.modeling.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;

/**
 * The ASTER/verl GRPO policy loss on one micro-batch, as verl's {@code compute_policy_loss_vanilla} with
 * {@code loss_agg_mode=token-mean}, dual clip and token-level truncated importance sampling:
 *
 * <ul>
 *   <li>ratio {@code r = exp(clamp(logp - logp_old, -20, 20))}, {@code logp_old} the trainer's own log-probs
 *       recomputed before the update;
 *   <li>{@code L = max(-A r, -A clip(r, 1 - clipLow, 1 + clipHigh))}; for {@code A < 0} also capped at
 *       {@code -A * dualClip} (dual clip);
 *   <li>times the TIS weight {@code min(exp(clamp(logp_old - logp_rollout, -20, 20)), tisCap)}, a constant
 *       (verl's {@code rollout_is="token"} with {@code rollout_is_threshold}, applied to the per-token loss);
 *   <li>token-mean: the micro-batch's masked sum divided by the whole mini-batch's trained-token count, so the sum
 *       over micro-batches is the same however the mini-batch is split (values and gradients).
 * </ul>
 *
 * No KL term and no entropy bonus (coefficient 0). The statistics are sums over the micro-batch's trained tokens, so
 * a trainer adds them over micro-batches and divides by the mini-batch's count once: the fraction of tokens where
 * clipping took effect (verl's {@code pg_clipfrac}), where the dual clip took effect ({@code pg_clipfrac_lower}), and
 * the k1 estimate {@code logp_old - logp} of the KL between old and new policy (verl's {@code ppo_kl}).
 */
public record GrpoLoss(double clipLow, double clipHigh, double dualClip, double tisCap) {

    /** verl's and ASTER's log-ratio clamp before exponentiating. */
    static final float LOG_RATIO_BOUND = 20f;

    public GrpoLoss {
        if (!(clipLow > 0 && clipLow < 1) || !(clipHigh > 0)) {
            throw new IllegalArgumentException("need 0 < clipLow < 1 and clipHigh > 0");
        }
        if (!(dualClip > 1)) {
            throw new IllegalArgumentException("the dual clip bound must exceed 1 (verl asserts clip_ratio_c > 1)");
        }
        if (!(tisCap > 0)) {
            throw new IllegalArgumentException("the TIS cap must be positive");
        }
    }

    /** ASTER's settings: clip 0.2 low, 0.28 high, dual clip 3, TIS cap 2. */
    public static GrpoLoss aster() {
        return new GrpoLoss(0.2, 0.28, 3.0, 2.0);
    }

    /**
     * The micro-batch's loss contribution and statistics sums.
     *
     * @param loss               scalar, to backpropagate; the mini-batch's loss is the sum over its micro-batches
     * @param trainedTokens      tokens the mask counts in this micro-batch
     * @param clippedTokens      trained tokens where the clipped term was taken ({@code -A clip(r) > -A r})
     * @param dualClippedTokens  trained tokens with {@code A < 0} where the dual clip bound was taken
     * @param approxKlSum        sum over trained tokens of {@code logp_old - logp} (k1)
     */
    public record Terms(NDArray loss, double trainedTokens, double clippedTokens, double dualClippedTokens,
            double approxKlSum) {}

    /**
     * @param logp           {@code (batch, width)} current log-probs, with gradient
     * @param oldLogp        {@code (batch, width)} the trainer's log-probs before the update (no gradient)
     * @param rolloutLogp    {@code (batch, width)} the rollout's log-probs, or {@code null} for no TIS weight
     * @param advantages     {@code (batch, 1)} one advantage per sequence (or {@code (batch, width)} per token)
     * @param mask           {@code (batch, width)} 1 on trained tokens, 0 on prompt, tool and padding
     * @param miniBatchTokens trained tokens in the whole mini-batch (the token-mean's denominator)
     */
    public Terms compute(NDArray logp, NDArray oldLogp, NDArray rolloutLogp, NDArray advantages, NDArray mask,
            double miniBatchTokens) {
        if (!(miniBatchTokens > 0)) {
            throw new IllegalArgumentException("the mini-batch has no trained token");
        }
        NDArray logRatio = logp.sub(oldLogp).clip(-LOG_RATIO_BOUND, LOG_RATIO_BOUND);
        NDArray ratio = logRatio.exp();
        NDArray negA = advantages.neg();
        NDArray unclipped = negA.mul(ratio);
        NDArray clipped = negA.mul(ratio.clip((float) (1 - clipLow), (float) (1 + clipHigh)));
        NDArray pessimistic = NDArrays.maximum(unclipped, clipped);
        NDArray dualBound = negA.mul((float) dualClip);
        NDArray negative = advantages.lt(0);
        NDArray perToken = NDArrays.where(negative.broadcast(pessimistic.getShape()),
                NDArrays.minimum(dualBound, pessimistic), pessimistic);
        if (rolloutLogp != null) {
            NDArray weight = oldLogp.sub(rolloutLogp).clip(-LOG_RATIO_BOUND, LOG_RATIO_BOUND).exp()
                    .minimum((float) tisCap).stopGradient();
            perToken = perToken.mul(weight);
        }
        NDArray loss = tokenMean(perToken.mul(mask).sum(), miniBatchTokens);

        NDArray m = mask.stopGradient();
        double tokens = m.sum().getFloat();
        double clippedCount = clipped.gt(unclipped).toType(m.getDataType(), false).mul(m).sum().getFloat();
        double dualCount = pessimistic.gt(dualBound).logicalAnd(negative.broadcast(pessimistic.getShape()))
                .toType(m.getDataType(), false).mul(m).sum().getFloat();
        double kl = logRatio.neg().stopGradient().mul(m).sum().getFloat();
        return new Terms(loss, tokens, clippedCount, dualCount, kl);
    }

    /**
     * The SFT loss on one micro-batch: cross-entropy {@code -logp} summed over trained tokens and divided by the
     * mini-batch's trained-token count (token-mean, split-invariant as above).
     */
    public static NDArray crossEntropy(NDArray logp, NDArray mask, double miniBatchTokens) {
        if (!(miniBatchTokens > 0)) {
            throw new IllegalArgumentException("the mini-batch has no trained token");
        }
        return tokenMean(logp.mul(mask).sum().neg(), miniBatchTokens);
    }

    /**
     * {@code sum / tokens} with the divisor in PyTorch's memory: backward reads it, and {@code div(Number)} would
     * make it over a Java buffer that DJL closes at once and the garbage collector may free before backward runs.
     */
    private static NDArray tokenMean(NDArray sum, double tokens) {
        return sum.div(sum.getManager().full(new Shape(), (float) tokens));
    }
}
