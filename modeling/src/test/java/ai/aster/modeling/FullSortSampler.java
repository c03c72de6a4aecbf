package ai.aster.modeling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The reference sampler for tests: the whole vocabulary sorted in Java (what LogitsSampler did before sampling
 * moved to the native side). Temperature, top-k and top-p sampling over one logits vector; greedy (argmax, lowest id on ties) at temperature
 * 0. Filters apply in vLLM's order: temperature, then top-k, then top-p over what top-k kept. Reported
 * log-probabilities are always the raw log-softmax of the unmodified logits (see {@link Sample}).
 */
final class FullSortSampler {

    private final SamplingParams params;
    private final Random random;

    /** @param random the generator all draws come from (inject a seeded one for reproducible output) */
    FullSortSampler(SamplingParams params, Random random) {
        this.params = params;
        this.random = random;
    }

    Sample sample(float[] logits) {
        double logZ = logSumExp(logits);
        int chosen = params.isGreedy() ? argmax(logits) : draw(logits);
        List<TokenLogprob> top = params.logprobs() > 0 ? top(logits, params.logprobs(), logZ) : List.of();
        return new Sample(chosen, logits[chosen] - logZ, top);
    }

    private int draw(float[] logits) {
        int[] candidates = candidates(logits); // most likely first
        double invT = 1.0 / params.temperature();
        double max = logits[candidates[0]];
        double[] weights = new double[candidates.length];
        double total = 0;
        for (int i = 0; i < candidates.length; i++) {
            weights[i] = Math.exp((logits[candidates[i]] - max) * invT);
            total += weights[i];
        }
        int keep = candidates.length;
        if (params.topP() < 1) {
            // smallest prefix (by probability) whose mass reaches top_p; at least one token
            double cumulative = 0;
            for (int i = 0; i < candidates.length; i++) {
                cumulative += weights[i] / total;
                if (cumulative >= params.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += weights[i];
            }
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= weights[i];
            if (u < 0) {
                return candidates[i];
            }
        }
        return candidates[keep - 1];
    }

    /** Token ids allowed by top-k, sorted by logit descending (ties by id); all ids when top-k is off. */
    private int[] candidates(float[] logits) {
        int k = params.topK() > 0 ? Math.min(params.topK(), logits.length) : logits.length;
        if (k == logits.length && params.topP() >= 1) {
            // plain temperature sampling: order does not matter, skip the sort but keep the max first
            int[] all = new int[logits.length];
            int best = argmax(logits);
            all[0] = best;
            for (int i = 0, at = 1; i < logits.length; i++) {
                if (i != best) {
                    all[at++] = i;
                }
            }
            return all;
        }
        long[] keys = new long[logits.length];
        for (int i = 0; i < logits.length; i++) {
            keys[i] = ((long) descendingKey(logits[i]) << 32) | i;
        }
        Arrays.sort(keys);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }

    /** An int that sorts ascending as the float sorts descending (NaN last). */
    private static int descendingKey(float v) {
        int bits = Float.floatToIntBits(v);
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
        return ~ascending;
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    static double logSumExp(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    /** The n most likely tokens with raw log-probabilities, most likely first (ties by lower id). */
    static List<TokenLogprob> top(float[] logits, int n, double logZ) {
        int k = Math.min(n, logits.length);
        int[] best = new int[k];
        int size = 0;
        for (int i = 0; i < logits.length; i++) {
            if (size < k || logits[i] > logits[best[size - 1]]) {
                int at = size < k ? size++ : k - 1;
                while (at > 0 && logits[best[at - 1]] < logits[i]) {
                    best[at] = best[at - 1];
                    at--;
                }
                best[at] = i;
            }
        }
        List<TokenLogprob> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(new TokenLogprob(best[i], logits[best[i]] - logZ));
        }
        return out;
    }

    /**
     * Top-p's nucleus by a full sort: token ids most likely first, and each one's probability renormalised over
     * the nucleus (temperature applied, no top-k).
     */
    static Map.Entry<int[], double[]> nucleus(float[] logits, double temperature, double topP) {
        long[] keys = new long[logits.length];
        for (int i = 0; i < logits.length; i++) {
            keys[i] = ((long) descendingKey(logits[i]) << 32) | i;
        }
        Arrays.sort(keys);
        double max = logits[(int) keys[0]];
        double[] w = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            w[i] = Math.exp((logits[(int) keys[i]] - max) / temperature);
            total += w[i];
        }
        int keep = logits.length;
        double cumulative = 0;
        for (int i = 0; i < logits.length; i++) {
            cumulative += w[i] / total;
            if (cumulative >= topP) {
                keep = i + 1;
                break;
            }
        }
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += w[i];
        }
        int[] ids = new int[keep];
        double[] p = new double[keep];
        for (int i = 0; i < keep; i++) {
            ids[i] = (int) keys[i];
            p[i] = w[i] / kept;
        }
        return Map.entry(ids, p);
    }
}
