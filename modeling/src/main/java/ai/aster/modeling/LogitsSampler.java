package ai.aster.modeling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Temperature, top-k and top-p sampling over one row of a step's logits, on the model's device; greedy (argmax,
 * lowest id on ties) at temperature 0. Filters apply in vLLM's order: temperature, then top-k, then top-p over
 * what top-k kept. Reported log-probabilities are the raw log-softmax of the unmodified logits (see {@link Sample}).
 *
 * <p>Nothing vocabulary-sized is sorted or copied into Java; per token only candidates and scalars cross:
 * <ul>
 * <li>top-k up to {@value #TOP_K_IN_JAVA}: the k best come from one native {@code topk}; the draw walks them in
 * descending order, exactly as a full sort would (same token for the same seed);
 * <li>otherwise the {@value #CANDIDATES} best come first: when top-p's nucleus lies inside them (a peaked
 * distribution, the usual case for a trained model) the draw walks them as a full sort would;
 * <li>when the nucleus is larger (flat distributions, e.g. random weights or high temperature), the draw inverts
 * the cumulative distribution in token-id order natively and accepts the token when it belongs to the nucleus
 * (the mass of the tokens ranked above it is below top_p), redrawing otherwise. The accepted token has exactly
 * top-p's distribution (the nucleus renormalised), though for a given seed it is not the token a sorted walk
 * would pick. Plain temperature sampling (no top-k, top-p 1) draws the same way and never rejects.
 * </ul>
 * Weights are computed in float64 natively, so the cumulative sums are exact enough for the nucleus boundary.
 */
public final class LogitsSampler implements Sampler {

    /** Largest top-k whose candidates are walked in Java (beyond it the native tail path applies the cut). */
    static final int TOP_K_IN_JAVA = 1024;
    /** Best tokens fetched first when top-k is off: enough to hold a trained model's nucleus. */
    static final int CANDIDATES = 64;
    /** Candidates tried before rejection when top-p is small (rejection would then redraw often). */
    private static final int MORE_CANDIDATES = 4096;

    private final SamplingParams params;
    private final Random random;

    /** @param random the generator all draws come from (inject a seeded one for reproducible output) */
    public LogitsSampler(SamplingParams params, Random random) {
        this.params = params;
        this.random = random;
    }

    @Override
    public Sample sample(StepLogits logits, int row) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int chosen = params.isGreedy() ? logits.argmax(row) : draw(logits, row);
            double logprob = logits.logprob(row, chosen);
            List<TokenLogprob> top = params.logprobs() > 0 ? top(logits, row, params.logprobs()) : List.of();
            return new Sample(chosen, logprob, top);
        }
    }

    private int draw(StepLogits logits, int row) {
        int vocab = logits.vocab();
        NDArray raw = logits.logitsRow(row); // (vocab) float32
        double invT = 1.0 / params.temperature();
        double max = logits.maxLogit(row);
        int k = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        if (k < vocab && k <= TOP_K_IN_JAVA) {
            // top-k: the k best in descending order; temperature and top-p over them only, as a full sort would
            Best best = best(raw, k);
            double[] w = new double[k];
            double total = 0;
            for (int i = 0; i < k; i++) {
                w[i] = Math.exp((best.values[i] - max) * invT);
                total += w[i];
            }
            int keep = k;
            if (params.topP() < 1) {
                // the smallest prefix whose share of the top-k mass reaches top_p; at least one token
                double share = 0;
                for (int i = 0; i < k; i++) {
                    share += w[i] / total;
                    if (share >= params.topP()) {
                        keep = i + 1;
                        break;
                    }
                }
            }
            return best.ids[walk(w, keep, sum(w, keep))];
        }
        // (vocab) float64 weights exp((l - max) / T); tokens cut by a large top-k get weight 0
        NDArray weights = raw.toType(DataType.FLOAT64, false).sub(max).mul(invT).exp();
        if (k < vocab) {
            float kth = raw.topK(k, 0, true, false).get(0).min().toFloatArray()[0];
            weights = weights.mul(raw.gte(kth));
        }
        double total = weights.sum().toDoubleArray()[0];
        double nucleus = params.topP() < 1 ? params.topP() * total : Double.POSITIVE_INFINITY;
        if (params.topP() < 1) {
            int n = Math.min(CANDIDATES, k);
            while (true) {
                Best best = best(raw, n);
                double[] w = new double[n];
                double cumulative = 0;
                for (int i = 0; i < n; i++) {
                    w[i] = Math.exp((best.values[i] - max) * invT);
                    cumulative += w[i];
                    if (cumulative >= nucleus) {
                        // the nucleus is the first i + 1 candidates: walk them as a full sort would
                        return best.ids[walk(w, i + 1, cumulative)];
                    }
                }
                // a small top_p over a flat distribution would reject most draws: widen the candidates instead
                if (n >= MORE_CANDIDATES || n >= k || params.topP() >= 0.5) {
                    break;
                }
                n = Math.min(MORE_CANDIDATES, k);
            }
        }
        NDArray cumulative = weights.cumSum(0); // (vocab), token-id order
        while (true) {
            double target = random.nextDouble() * total;
            // first id whose cumulative weight exceeds the target: weight-0 tokens are never chosen
            int t = (int) cumulative.lte(target).sum().toLongArray()[0];
            if (t >= vocab) {
                continue; // the target fell in the last rounding gap of the sum; draw again
            }
            if (nucleus == Double.POSITIVE_INFINITY) {
                return t;
            }
            // in the nucleus when the tokens ranked above it (heavier, or as heavy with a lower id) weigh < top_p
            NDArray wt = TensorOps.slice(weights, 0, t, t + 1);
            double above = weights.mul(weights.gt(wt)).sum().toDoubleArray()[0];
            if (t > 0) {
                NDArray lower = TensorOps.slice(weights, 0, 0, t);
                above += lower.mul(lower.eq(wt)).sum().toDoubleArray()[0];
            }
            if (above < nucleus) {
                return t;
            }
        }
    }

    /** Draws an index among the first {@code keep} weights (most likely first) by walking their cumulative sum. */
    private int walk(double[] w, int keep, double total) {
        double u = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= w[i];
            if (u < 0) {
                return i;
            }
        }
        return keep - 1;
    }

    private static double sum(double[] w, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += w[i];
        }
        return s;
    }

    /** The n largest of a row, largest first, ties by lower id (the order of a stable full sort). */
    private record Best(float[] values, int[] ids) {}

    private static Best best(NDArray row, int n) {
        NDList top = row.topK(n, 0, true, true);
        float[] values = top.get(0).toFloatArray();
        long[] ids = top.get(1).toLongArray();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // topk orders equal values arbitrarily: put ties in id order (insertion sort, runs of ties are short)
        for (int i = 1; i < n; i++) {
            int at = i;
            while (at > 0 && values[order[at - 1]] == values[order[at]] && ids[order[at - 1]] > ids[order[at]]) {
                int tmp = order[at];
                order[at] = order[at - 1];
                order[at - 1] = tmp;
                at--;
            }
        }
        float[] v = new float[n];
        int[] id = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = values[order[i]];
            id[i] = (int) ids[order[i]];
        }
        return new Best(v, id);
    }

    /** The n most likely tokens with raw log-probabilities, most likely first (ties by lower id). */
    private static List<TokenLogprob> top(StepLogits logits, int row, int n) {
        Best best = best(logits.logprobRow(row), Math.min(n, logits.vocab()));
        List<TokenLogprob> out = new ArrayList<>(best.ids.length);
        for (int i = 0; i < best.ids.length; i++) {
            out.add(new TokenLogprob(best.ids[i], best.values[i]));
        }
        return out;
    }
}
