package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LogitsSamplerTest {

    /** log of [0.5, 0.3, 0.15, 0.05] shifted by a constant (softmax ignores it). */
    static final float[] PROBS = {(float) Math.log(0.5) + 3, (float) Math.log(0.3) + 3, (float) Math.log(0.15) + 3,
            (float) Math.log(0.05) + 3};

    static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (r.nextGaussian() * 2);
        }
        return l;
    }

    static int[] run(SamplingParams p, int steps) {
        Sampler s = Sampler.of(p);
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = s.sample(randomLogits(50, i)).tokenId();
        }
        return out;
    }

    @Test
    void greedyPicksTheArgmaxAtTemperatureZero() {
        float[] logits = randomLogits(1000, 1);
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        Sample s = Sampler.of(new SamplingParams(0, 1, 0, 123, 0)).sample(logits);
        assertEquals(best, s.tokenId());
        // greedy ignores the seed
        assertArrayEquals(run(new SamplingParams(0, 0.5, 5, 1, 0), 20), run(new SamplingParams(0, 0.5, 5, 2, 0), 20));
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        SamplingParams a = new SamplingParams(1.0, 0.95, 40, 7, 0);
        assertArrayEquals(run(a, 200), run(a, 200));
        assertNotEquals(java.util.Arrays.toString(run(a, 200)),
                java.util.Arrays.toString(run(new SamplingParams(1.0, 0.95, 40, 8, 0), 200)));
    }

    @Test
    void topKRestrictsTheSupportToTheKMostLikely() {
        float[] logits = randomLogits(30, 3);
        Integer[] order = new Integer[30];
        for (int i = 0; i < 30; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Float.compare(logits[y], logits[x]));
        Set<Integer> allowed = Set.of(order[0], order[1], order[2]);
        Sampler s = Sampler.of(new SamplingParams(5.0, 1, 3, 11, 0)); // hot: flat within the top 3
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            seen.add(s.sample(logits).tokenId());
        }
        assertEquals(allowed, seen);
        // top-k 1 is greedy whatever the temperature
        assertEquals(order[0], Sampler.of(new SamplingParams(10, 1, 1, 1, 0)).sample(logits).tokenId());
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        Sampler s = Sampler.of(new SamplingParams(1, 0.75, 0, 5, 0));
        int[] counts = new int[4];
        try (StepLogits step = StepLogits.of(PROBS)) {
            for (int i = 0; i < 5000; i++) {
                counts[s.sample(step, 0).tokenId()]++;
            }
        }
        // 0.5 < 0.75 <= 0.5 + 0.3: tokens 0 and 1 only, renormalised to 0.625 / 0.375
        assertEquals(0, counts[2] + counts[3]);
        assertEquals(0.625, counts[0] / 5000.0, 0.03);
        // without top-p every token appears with roughly its probability
        Sampler all = Sampler.of(new SamplingParams(1, 1, 0, 5, 0));
        int[] c2 = new int[4];
        try (StepLogits step = StepLogits.of(PROBS)) {
            for (int i = 0; i < 20000; i++) {
                c2[all.sample(step, 0).tokenId()]++;
            }
        }
        assertEquals(0.05, c2[3] / 20000.0, 0.01);
        assertEquals(0.5, c2[0] / 20000.0, 0.02);
    }

    @Test
    void logprobsAreTheRawLogSoftmaxWhateverTheSamplingSettings() {
        Sample hot = Sampler.of(new SamplingParams(0.3, 0.5, 2, 1, 3)).sample(PROBS);
        assertEquals(0, hot.tokenId()); // at T=0.3 with top-p 0.5 only the first survives
        assertEquals(Math.log(0.5), hot.logprob(), 1e-6);
        List<TokenLogprob> top = hot.top();
        assertEquals(3, top.size());
        assertEquals(List.of(0, 1, 2), top.stream().map(TokenLogprob::tokenId).toList());
        assertEquals(Math.log(0.3), top.get(1).logprob(), 1e-6);
        assertEquals(Math.log(0.15), top.get(2).logprob(), 1e-6);
        assertTrue(Sampler.of(SamplingParams.greedy()).sample(PROBS).top().isEmpty());
    }

    @Test
    void rejectsInvalidSettings() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1, 1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 1.5, 0, 0, 0));
    }

    // --- the native sampler against the full-sort reference (FullSortSampler, the Java sampler it replaced) ---

    /** Tokens drawn by the native sampler and by the full sort over the same logits sequence and seed. */
    static void assertSameSelections(SamplingParams p, int vocab, double scale, int steps) {
        Sampler nativeSampler = Sampler.of(p);
        FullSortSampler reference = new FullSortSampler(p, new Random(p.seed()));
        for (int i = 0; i < steps; i++) {
            float[] logits = randomLogits(vocab, 1000 + i);
            for (int j = 0; j < logits.length; j++) {
                logits[j] *= (float) scale;
            }
            Sample expected = reference.sample(logits);
            Sample actual = nativeSampler.sample(logits);
            assertEquals(expected.tokenId(), actual.tokenId(), "step " + i + " with " + p);
            assertEquals(expected.logprob(), actual.logprob(), 1e-5);
        }
    }

    @Test
    void topKSelectsWhatTheFullSortSelectsForTheSameSeed() {
        assertSameSelections(new SamplingParams(0.8, 1, 40, 21, 0), 5000, 1, 200);
        assertSameSelections(new SamplingParams(0.6, 0.9, 50, 22, 0), 5000, 1, 200);
        assertSameSelections(new SamplingParams(1.5, 0.5, 1000, 23, 0), 3000, 1, 50);
        assertSameSelections(new SamplingParams(0.7, 1, 1, 24, 0), 3000, 1, 20); // top-k 1 still draws
    }

    @Test
    void peakedTopPSelectsWhatTheFullSortSelectsForTheSameSeed() {
        // a trained model's distribution: the nucleus lies within the native candidates
        assertSameSelections(new SamplingParams(0.6, 0.95, 0, 31, 0), 20000, 4, 60);
        assertSameSelections(new SamplingParams(1.0, 0.8, 0, 32, 0), 20000, 3, 60);
    }

    @Test
    void greedyAndLogprobsMatchTheFullSort() {
        for (SamplingParams p : List.of(new SamplingParams(0, 1, 0, 1, 5), new SamplingParams(0.9, 0.7, 0, 2, 3))) {
            FullSortSampler reference = new FullSortSampler(p, new Random(p.seed()));
            Sampler nativeSampler = Sampler.of(p);
            for (int i = 0; i < 20; i++) {
                float[] logits = randomLogits(10000, 77 + i);
                Sample expected = reference.sample(logits);
                Sample actual = nativeSampler.sample(logits);
                if (p.isGreedy()) {
                    assertEquals(expected.tokenId(), actual.tokenId());
                }
                assertEquals(logits[actual.tokenId()] - FullSortSampler.logSumExp(logits), actual.logprob(), 1e-5);
                assertEquals(expected.top().size(), actual.top().size());
                for (int j = 0; j < expected.top().size(); j++) {
                    assertEquals(expected.top().get(j).tokenId(), actual.top().get(j).tokenId());
                    assertEquals(expected.top().get(j).logprob(), actual.top().get(j).logprob(), 1e-5);
                }
            }
        }
    }

    /**
     * Draws {@code n} tokens from one logits vector and checks them against top-p's nucleus from a full sort:
     * nothing outside it, and the frequency of each tenth of the nucleus (by rank) within 5 standard deviations
     * of its renormalised probability mass.
     */
    static void assertDrawsFollowTheNucleus(float[] logits, SamplingParams p, int n) {
        var nucleus = FullSortSampler.nucleus(logits, p.temperature(), p.topP());
        int[] ids = nucleus.getKey();
        double[] prob = nucleus.getValue();
        int[] rank = new int[logits.length];
        java.util.Arrays.fill(rank, -1);
        for (int i = 0; i < ids.length; i++) {
            rank[ids[i]] = i;
        }
        int groups = Math.min(10, ids.length);
        double[] expected = new double[groups];
        for (int i = 0; i < ids.length; i++) {
            expected[i * groups / ids.length] += prob[i];
        }
        int[] observed = new int[groups];
        Sampler sampler = Sampler.of(p);
        try (StepLogits step = StepLogits.of(logits)) {
            for (int i = 0; i < n; i++) {
                int t = sampler.sample(step, 0).tokenId();
                assertTrue(rank[t] >= 0, "token " + t + " is outside the nucleus of " + ids.length);
                observed[rank[t] * groups / ids.length]++;
            }
        }
        for (int g = 0; g < groups; g++) {
            double mean = n * expected[g];
            double sd = Math.sqrt(n * expected[g] * (1 - expected[g]));
            assertEquals(mean, observed[g], 5 * sd + 1, "group " + g + " of the nucleus (" + ids.length + " tokens)");
        }
    }

    @Test
    void flatTopPDrawsTheNucleusWithItsProbabilities() {
        // random weights give flat logits: the nucleus is far larger than the native candidates
        float[] flat = randomLogits(3000, 5);
        for (int i = 0; i < flat.length; i++) {
            flat[i] *= 0.2f;
        }
        assertDrawsFollowTheNucleus(flat, new SamplingParams(0.6, 0.95, 0, 41, 0), 1500);
        assertDrawsFollowTheNucleus(flat, new SamplingParams(0.6, 0.3, 0, 42, 0), 1000);
        assertDrawsFollowTheNucleus(flat, new SamplingParams(1.0, 0.05, 0, 43, 0), 1000); // small p: more candidates
        // plain temperature: the nucleus is everything
        assertDrawsFollowTheNucleus(flat, new SamplingParams(0.8, 1, 0, 44, 0), 1500);
    }

    @Test
    void largeTopKIsCutNatively() {
        float[] logits = randomLogits(5000, 6);
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= 0.2f;
        }
        float kth = topValues(logits, 2000)[1999];
        // top-k 2000 (beyond the Java candidate walk): only the 2000 best are ever drawn
        Sampler sampler = Sampler.of(new SamplingParams(1.0, 1, 2000, 51, 0));
        try (StepLogits step = StepLogits.of(logits)) {
            for (int i = 0; i < 500; i++) {
                int t = sampler.sample(step, 0).tokenId();
                assertTrue(logits[t] >= kth, "token " + t + " is not in the top 2000");
            }
        }
    }

    static float[] topValues(float[] logits, int k) {
        float[] sorted = logits.clone();
        java.util.Arrays.sort(sorted);
        float[] out = new float[k];
        for (int i = 0; i < k; i++) {
            out[i] = sorted[sorted.length - 1 - i];
        }
        return out;
    }
}
