package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qwen3ModelTest {

    @TempDir
    static Path dir;

    static Qwen3Model model;

    @BeforeAll
    static void init() {
        ModelInit.write(dir, ModelInit.Options.defaults().withTieWordEmbeddings(false));
        model = Qwen3Model.load(dir, Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static int[] randomTokens(int n, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(model.config().vocabSize());
        }
        return t;
    }

    static void assertClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(max <= tol, "max abs difference " + max + " > " + tol);
    }

    static float[] slice(int[] tokens, int n, Qwen3Model m) {
        return m.fullSequenceLogits(java.util.Arrays.copyOf(tokens, n));
    }

    @Test
    void incrementalDecodingMatchesFullRecompute() {
        int[] tokens = randomTokens(40, 1);
        try (KvCache cache = model.newCache()) {
            float[] first = model.forward(List.of(cache), List.of(java.util.Arrays.copyOf(tokens, 7)))[0];
            assertClose(slice(tokens, 7, model), first, 1e-4);
            for (int t = 7; t < tokens.length; t++) {
                float[] step = model.forward(List.of(cache), List.of(new int[] {tokens[t]}))[0];
                assertClose(slice(tokens, t + 1, model), step, 1e-4);
            }
            assertEquals(tokens.length, cache.length());
        }
    }

    @Test
    void prefillEqualsIncremental() {
        int[] tokens = randomTokens(100, 2);
        try (KvCache prefill = model.newCache(); KvCache incremental = model.newCache()) {
            float[] all = model.forward(List.of(prefill), List.of(tokens))[0];
            float[] last = null;
            for (int token : tokens) {
                last = model.forward(List.of(incremental), List.of(new int[] {token}))[0];
            }
            assertClose(all, last, 1e-4);
            // the cache grew past its initial capacity on the way
            assertTrue(incremental.capacity() >= 100);
        }
    }

    @Test
    void batchedStepEqualsSequencesAlone() {
        int[][] prompts = {randomTokens(5, 3), randomTokens(17, 4), randomTokens(1, 5), randomTokens(33, 6)};
        List<KvCache> caches = new ArrayList<>();
        List<int[]> chunks = new ArrayList<>();
        for (int[] p : prompts) {
            caches.add(model.newCache());
            chunks.add(p);
        }
        try {
            // mixed prefill batch of different lengths
            float[][] batched = model.forward(caches, chunks);
            for (int i = 0; i < prompts.length; i++) {
                assertClose(model.fullSequenceLogits(prompts[i]), batched[i], 1e-4);
            }
            // then decode steps with one token each, and a mixed step (one prefill chunk among decodes)
            int[][] seqs = prompts.clone();
            for (int step = 0; step < 3; step++) {
                List<int[]> next = new ArrayList<>();
                for (int i = 0; i < seqs.length; i++) {
                    int[] chunk = step == 2 && i == 1 ? randomTokens(4, 100 + i) : randomTokens(1, 10 * step + i);
                    next.add(chunk);
                    int[] grown = java.util.Arrays.copyOf(seqs[i], seqs[i].length + chunk.length);
                    System.arraycopy(chunk, 0, grown, seqs[i].length, chunk.length);
                    seqs[i] = grown;
                }
                float[][] out = model.forward(caches, next);
                for (int i = 0; i < seqs.length; i++) {
                    assertClose(model.fullSequenceLogits(seqs[i]), out[i], 1e-4);
                    assertEquals(seqs[i].length, caches.get(i).length());
                }
            }
        } finally {
            caches.forEach(KvCache::close);
        }
    }

    @Test
    void bothDecodeAttentionPathsMatchRecompute() {
        for (long limit : new long[] {0, Long.MAX_VALUE}) {
            model.setStackedDecodeBytes(limit);
            // lengths 10, 70, 140, 5: capacities 64, 128, 256, 64 (three groups, not in capacity order)
            int[][] seqs = {randomTokens(10, 40), randomTokens(70, 41), randomTokens(140, 42), randomTokens(5, 43)};
            List<KvCache> caches = new ArrayList<>();
            try {
                for (int[] s : seqs) {
                    KvCache c = model.newCache();
                    caches.add(c);
                    model.forward(List.of(c), List.of(s));
                }
                for (int step = 0; step < 3; step++) {
                    List<int[]> next = new ArrayList<>();
                    for (int i = 0; i < seqs.length; i++) {
                        int t = (step * 7 + i * 13) % 250;
                        next.add(new int[] {t});
                        seqs[i] = java.util.Arrays.copyOf(seqs[i], seqs[i].length + 1);
                        seqs[i][seqs[i].length - 1] = t;
                    }
                    float[][] out = model.forward(caches, next);
                    for (int i = 0; i < seqs.length; i++) {
                        assertClose(model.fullSequenceLogits(seqs[i]), out[i], 1e-4);
                    }
                }
            } finally {
                caches.forEach(KvCache::close);
                model.setStackedDecodeBytes(16L << 20);
            }
        }
    }

    @Test
    void copyPrefixGivesTheSameLogitsAsRecompute() {
        int[] tokens = randomTokens(60, 7);
        try (KvCache full = model.newCache()) {
            model.forward(List.of(full), List.of(tokens));
            try (KvCache prefix = full.copyPrefix(45)) {
                assertEquals(45, prefix.length());
                assertEquals(60, full.length());
                int[] suffix = randomTokens(12, 8);
                float[] reused = model.forward(List.of(prefix), List.of(suffix))[0];
                int[] whole = new int[57];
                System.arraycopy(tokens, 0, whole, 0, 45);
                System.arraycopy(suffix, 0, whole, 45, 12);
                assertClose(model.fullSequenceLogits(whole), reused, 1e-4);
                // the source cache is unchanged: extending it still matches its own recompute
                float[] next = model.forward(List.of(full), List.of(new int[] {3}))[0];
                int[] extended = java.util.Arrays.copyOf(tokens, 61);
                extended[60] = 3;
                assertClose(model.fullSequenceLogits(extended), next, 1e-4);
            }
        }
    }

    @Test
    void longPrefillInQueryBlocksMatchesRecompute() {
        int[] tokens = randomTokens(1300, 30);
        try (KvCache cache = model.newCache()) {
            // 300 tokens, then a 1000-token chunk on top (two query blocks, the first offset by the past)
            model.forward(List.of(cache), List.of(java.util.Arrays.copyOf(tokens, 300)));
            float[] out = model.forward(List.of(cache), List.of(java.util.Arrays.copyOfRange(tokens, 300, 1300)))[0];
            assertClose(model.fullSequenceLogits(tokens), out, 1e-4);
            float[] next = model.forward(List.of(cache), List.of(new int[] {4}))[0];
            int[] extended = java.util.Arrays.copyOf(tokens, 1301);
            extended[1300] = 4;
            assertClose(model.fullSequenceLogits(extended), next, 1e-4);
        }
    }

    @Test
    void stepsDoNotLeakNativeArrays() {
        try (KvCache a = model.newCache(); KvCache b = model.newCache()) {
            model.forward(List.of(a, b), List.of(randomTokens(10, 20), randomTokens(3, 21)));
            int before = model.managedArrays();
            for (int i = 0; i < 30; i++) {
                model.forward(List.of(a, b), List.of(new int[] {i}, i % 5 == 0 ? randomTokens(3, i) : new int[] {i}));
                model.forward(List.of(a), List.of(new int[] {i}));
            }
            model.logitsWithoutCache(randomTokens(20, 22));
            a.copyPrefix(5).close();
            assertEquals(before, model.managedArrays());
            // the count sees arrays held in sub-managers (a live cache), so a leak there would show
            try (KvCache c = model.newCache()) {
                model.forward(List.of(c), List.of(new int[] {1}));
                assertTrue(model.managedArrays() > before);
            }
            assertEquals(before, model.managedArrays());
        }
    }

    @Test
    void greedyTokensAreTheSameWithAndWithoutPrefixReuse() {
        int[] turn1 = randomTokens(50, 60);
        int[] suffix = randomTokens(30, 61);
        int[] turn2 = java.util.Arrays.copyOf(turn1, 80);
        System.arraycopy(suffix, 0, turn2, 50, 30);
        int[] cold;
        try (KvCache c = model.newCache()) {
            cold = greedy(c, turn2, 25);
        }
        int[] reused;
        try (KvCache previous = model.newCache()) {
            model.forward(List.of(previous), List.of(turn1));
            try (KvCache c = previous.copyPrefix(50)) {
                reused = greedy(c, suffix, 25);
            }
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(cold, reused);
    }

    private static int[] greedy(KvCache cache, int[] feed, int n) {
        int[] out = new int[n];
        float[] logits = model.forward(List.of(cache), List.of(feed))[0];
        Sampler sampler = Sampler.of(SamplingParams.greedy());
        for (int i = 0; i < n; i++) {
            out[i] = sampler.sample(logits).tokenId();
            logits = model.forward(List.of(cache), List.of(new int[] {out[i]}))[0];
        }
        return out;
    }

    @Test
    void rejectsBadInput() {
        try (KvCache cache = model.newCache()) {
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(List.of(cache), List.of(new int[] {model.config().vocabSize()})));
            assertThrows(IllegalArgumentException.class, () -> model.forward(List.of(cache), List.of(new int[0])));
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(List.of(cache, cache), List.of(new int[] {1}, new int[] {2})));
            assertEquals(0, cache.length());
        }
    }

    @Test
    void recomputeIsForwardWithAFreshCacheAndAgreesWithTheTrainingPath() {
        int[] tokens = randomTokens(30, 60);
        float[] recompute = model.logitsWithoutCache(tokens);
        assertClose(model.fullSequenceLogits(tokens), recompute, 1e-4);
        try (KvCache cache = model.newCache()) {
            assertClose(model.forward(List.of(cache), List.of(tokens))[0], recompute, 0);
        }
    }

    @Test
    void stepLogitsAreInTheCallersOrderAndSamplingLeavesNothingBehind() {
        // a prefill first and decodes after it: the model runs decodes first, the rows come back in this order
        int[][] prompts = {randomTokens(9, 70), randomTokens(3, 71), randomTokens(6, 72)};
        List<KvCache> caches = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            caches.add(model.newCache());
        }
        try {
            model.forward(caches, List.of(new int[] {prompts[0][0]}, prompts[1], prompts[2]));
            int before = model.managedArrays(); // caches allocated: what is left after the step is a leak
            List<int[]> step = List.of(java.util.Arrays.copyOfRange(prompts[0], 1, 9), new int[] {5}, new int[] {6});
            SamplingParams[] settings = {SamplingParams.greedy(), new SamplingParams(0.7, 0.9, 0, 1, 3),
                    new SamplingParams(1.0, 1, 5, 2, 0)};
            try (StepLogits logits = model.forwardLogits(caches, step)) {
                assertEquals(3, logits.batch());
                int[] seq1 = java.util.Arrays.copyOf(prompts[1], 4);
                seq1[3] = 5;
                int[] seq2 = java.util.Arrays.copyOf(prompts[2], 7);
                seq2[6] = 6;
                int[][] whole = {prompts[0], seq1, seq2};
                for (int i = 0; i < 3; i++) {
                    float[] expected = model.fullSequenceLogits(whole[i]);
                    assertClose(expected, logits.row(i), 1e-4);
                    assertEquals(FullSortSampler.argmax(expected), Sampler.of(SamplingParams.greedy()).sample(logits, i).tokenId());
                    for (SamplingParams p : settings) {
                        Sample s = Sampler.of(p).sample(logits, i);
                        assertEquals(expected[s.tokenId()] - FullSortSampler.logSumExp(expected), s.logprob(), 1e-4);
                    }
                }
            }
            assertEquals(before, model.managedArrays());
        } finally {
            caches.forEach(KvCache::close);
        }
    }
}
