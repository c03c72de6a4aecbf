package ai.aster.modeling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Temperature, top-k and top-p sampling over one row of a step's logits, on the model's device; greedy (argmax,
 * lowest id on ties) at temperature 0. Filters apply in vLLM's order: temperature, then top-k, then top-p over
 * what top-k kept. Reported log-probabilities are the raw log-softmax of the unmodified logits (see {@link Sample}).
 *
 * <p>Nothing vocabulary-sized is sorted or copied into Java; per token only candidates, block sums and scalars
 * cross, and the vocabulary-sized work is a few fused native passes (softmax, block sums, one comparison):
 * <ul>
 * <li>top-k up to {@value #TOP_K_IN_JAVA}: the k best come from one native {@code topk}; the draw walks them in
 * descending order, exactly as a full sort would (same token for the same seed);
 * <li>otherwise, when the {@value #CANDIDATES} most likely tokens can hold top-p's nucleus (a peaked distribution,
 * the usual case for a trained model), they are fetched and, when they do hold it, walked as a full sort would;
 * <li>when the nucleus is larger (flat distributions: random weights, high temperature), the draw inverts the
 * cumulative distribution in token-id order (block sums in Java, then one block) and accepts the token when it
 * belongs to the nucleus, i.e. the tokens ranked above it weigh less than top_p; otherwise it draws again. The
 * accepted token has exactly top-p's distribution (the nucleus renormalised), though for a given seed it is not
 * the token a sorted walk would pick. Plain temperature sampling (no top-k, top-p 1) draws the same way and never
 * redraws. A top_p far below the nucleus's share of a flat distribution redraws about 1/top_p times.
 * </ul>
 * Native arithmetic is float32 (as vLLM's); tokens tied in probability with a token at the nucleus boundary count
 * as ranked above it (a full sort would order them by id).
 */
public final class LogitsSampler implements Sampler {

    /** Largest top-k whose candidates are walked in Java (beyond it the native tail path applies the cut). */
    static final int TOP_K_IN_JAVA = 1024;
    /** Best tokens fetched first when top-k is off: enough to hold a trained model's nucleus. */
    static final int CANDIDATES = 64;

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
        int k = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        if (k < vocab && k <= TOP_K_IN_JAVA) {
            // top-k: the k best in descending order; temperature and top-p over them only, as a full sort would
            Best best = best(raw, k);
            double[] w = new double[k];
            double total = 0;
            for (int i = 0; i < k; i++) {
                w[i] = Math.exp((best.values[i] - best.values[0]) * invT);
                total += w[i];
            }
            return best.ids[walk(w, nucleusSize(w, k, total))];
        }
        // (vocab) probabilities after temperature, in one fused native softmax
        NDArray p = raw.mul((float) invT).softmax(0); // a float scalar: a double one takes a slow mixed-type path
        double total = 1;
        if (k < vocab) {
            // a top-k too large to walk in Java: zero what it cuts (ties with the k-th value stay in)
            float kth = raw.topK(k, 0, true, false).get(0).min().toFloatArray()[0];
            p = p.mul(raw.gte(kth));
            total = p.sum().toFloatArray()[0];
        }
        double nucleus = params.topP() < 1 ? params.topP() * total : Double.POSITIVE_INFINITY;
        if (params.topP() < 1 && CANDIDATES * (double) p.max().toFloatArray()[0] >= nucleus) {
            // the nucleus may lie within the best few (a peaked distribution): then walk them as a full sort would
            Best best = best(p, Math.min(CANDIDATES, k));
            double[] w = new double[best.ids.length];
            double cumulative = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = best.values[i];
                cumulative += w[i];
                if (cumulative >= nucleus) {
                    return best.ids[walk(w, i + 1)];
                }
            }
        }
        // invert the cumulative distribution in id order: per-block sums come to Java, then the one block the
        // target falls in; redraw while the token is outside the nucleus
        Blocks blocks = new Blocks(p, vocab);
        while (true) {
            double target = random.nextDouble() * blocks.total;
            int t = blocks.find(target);
            if (t < 0) {
                continue; // the target fell in the last rounding gap of the sums; draw again
            }
            if (nucleus == Double.POSITIVE_INFINITY) {
                return t;
            }
            // in the nucleus when the tokens ranked above it weigh less than top_p (ties count as above)
            float pt = blocks.value;
            double above = p.mul(p.gte(pt)).sum().toFloatArray()[0] - pt;
            if (above < nucleus) {
                return t;
            }
        }
    }

    /** The smallest prefix (most likely first) whose share of {@code total} reaches top_p; at least one token. */
    private int nucleusSize(double[] w, int n, double total) {
        if (params.topP() >= 1) {
            return n;
        }
        double share = 0;
        for (int i = 0; i < n; i++) {
            share += w[i] / total;
            if (share >= params.topP()) {
                return i + 1;
            }
        }
        return n;
    }

    /**
     * A probability row cut into blocks of {@value #BLOCK} tokens: the block sums (about vocab / 128 values) are
     * copied to Java once per sample, and a draw copies only the block its target falls in.
     */
    private static final class Blocks {
        private static final int BLOCK = 128;
        private final NDArray p;
        private final int vocab;
        private final double[] sums; // per block, the last one possibly short
        final double total;
        float value; // probability of the token the last find returned

        Blocks(NDArray p, int vocab) {
            this.p = p;
            this.vocab = vocab;
            int full = vocab / BLOCK;
            int n = (vocab + BLOCK - 1) / BLOCK;
            sums = new double[n];
            if (full > 0) {
                float[] s = TensorOps.slice(p, 0, 0, (long) full * BLOCK).reshape(full, BLOCK).sum(new int[] {1})
                        .toFloatArray();
                for (int i = 0; i < full; i++) {
                    sums[i] = s[i];
                }
            }
            if (n > full) {
                sums[full] = TensorOps.slice(p, 0, (long) full * BLOCK, vocab).sum().toFloatArray()[0];
            }
            double t = 0;
            for (double v : sums) {
                t += v;
            }
            total = t;
        }

        /** The token whose cumulative probability (in id order) first exceeds target, or -1 past the end. */
        int find(double target) {
            double before = 0;
            for (int b = 0; b < sums.length; b++) {
                if (before + sums[b] > target && sums[b] > 0) {
                    int from = b * BLOCK;
                    float[] values = TensorOps.slice(p, 0, from, Math.min(vocab, from + BLOCK)).toFloatArray();
                    double u = target - before;
                    int last = -1;
                    for (int i = 0; i < values.length; i++) {
                        if (values[i] > 0) {
                            last = i;
                            u -= values[i];
                            if (u < 0) {
                                break;
                            }
                        }
                    }
                    // a block's float sum and its values' double sum differ in the last bits: stay in the block
                    value = values[last];
                    return from + last;
                }
                before += sums[b];
            }
            return -1;
        }
    }

    /** Draws an index among the first {@code keep} weights (most likely first) by walking their cumulative sum. */
    private int walk(double[] w, int keep) {
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += w[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= w[i];
            if (u < 0) {
                return i;
            }
        }
        return keep - 1;
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
