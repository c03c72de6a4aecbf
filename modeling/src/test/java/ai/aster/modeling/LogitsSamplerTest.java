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
        for (int i = 0; i < 5000; i++) {
            counts[s.sample(PROBS).tokenId()]++;
        }
        // 0.5 < 0.75 <= 0.5 + 0.3: tokens 0 and 1 only, renormalised to 0.625 / 0.375
        assertEquals(0, counts[2] + counts[3]);
        assertEquals(0.625, counts[0] / 5000.0, 0.03);
        // without top-p every token appears with roughly its probability
        Sampler all = Sampler.of(new SamplingParams(1, 1, 0, 5, 0));
        int[] c2 = new int[4];
        for (int i = 0; i < 20000; i++) {
            c2[all.sample(PROBS).tokenId()]++;
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
}
