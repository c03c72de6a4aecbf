package ai.aster.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.model.TestModels;
import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Tokenizer;
import ai.djl.Device;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine on a real (tiny) model, without HTTP: batching, prefix reuse, chunked prefill, forks, cancellation. */
class EngineLoopTest {

    private static Tokenizer tokenizer;
    private static EngineLoop engine;
    /** No prefix cache and a step budget of 8 tokens: every prompt is prefilled cold, in chunks. */
    private static EngineLoop coldChunked;

    record Result(List<Integer> tokens, List<Double> logprobs, String text, String finishReason) {}

    @BeforeAll
    static void start() {
        tokenizer = Tokenizer.load(TestModels.base());
        engine = new EngineLoop(Qwen3Model.load(TestModels.base(), Device.cpu()), tokenizer,
                new EngineSettings(8, 16, 2048, 64L << 20, 1L << 30, Duration.ofSeconds(30), 1), new SimpleMeterRegistry());
        engine.start();
        coldChunked = new EngineLoop(Qwen3Model.load(TestModels.base(), Device.cpu()), tokenizer,
                new EngineSettings(4, 16, 8, 0, 1L << 30, Duration.ofSeconds(30), 1), new SimpleMeterRegistry());
        coldChunked.start();
    }

    @AfterAll
    static void stop() {
        engine.close();
        coldChunked.close();
        tokenizer.close();
    }

    static int[] randomPrompt(long seed, int length) {
        Random random = new Random(seed);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = random.nextInt(200);
        }
        return ids;
    }

    static EngineRequest greedy(int[] prompt, int maxTokens) {
        return request(prompt, 1, maxTokens, 0, null);
    }

    static EngineRequest request(int[] prompt, int n, int maxTokens, double temperature, Long seed) {
        return new EngineRequest("t", prompt, n, maxTokens, temperature, 1.0, 0, seed, 0, List.of(), Set.of(),
                true, false);
    }

    /** Collects every choice of a request. */
    static class Collector implements RequestListener {
        final CompletableFuture<List<Result>> done = new CompletableFuture<>();
        final List<List<Integer>> tokens = new ArrayList<>();
        final List<List<Double>> logprobs = new ArrayList<>();
        final List<StringBuilder> texts = new ArrayList<>();
        final List<String> finish = new ArrayList<>();
        /** The weights version of each token, per choice. */
        final List<List<Long>> versions = new ArrayList<>();
        volatile List<Long> policyVersions;
        volatile int outputs;

        Collector(int n) {
            for (int i = 0; i < n; i++) {
                tokens.add(new ArrayList<>());
                logprobs.add(new ArrayList<>());
                texts.add(new StringBuilder());
                finish.add(null);
                versions.add(new ArrayList<>());
            }
        }

        @Override
        public void onOutput(RequestOutput output) {
            outputs++;
            for (ChoiceDelta d : output.deltas()) {
                tokens.get(d.index()).addAll(d.tokenIds());
                d.tokenIds().forEach(t -> versions.get(d.index()).add(output.policyVersion()));
                texts.get(d.index()).append(d.text());
                if (d.logprobs() != null) {
                    d.logprobs().forEach(lp -> logprobs.get(d.index()).add(lp.logprob()));
                }
                if (d.finishReason() != null) {
                    finish.set(d.index(), d.finishReason());
                }
            }
            policyVersions = output.policyVersions();
            if (output.finished()) {
                List<Result> results = new ArrayList<>();
                for (int i = 0; i < tokens.size(); i++) {
                    results.add(new Result(tokens.get(i), logprobs.get(i), texts.get(i).toString(), finish.get(i)));
                }
                done.complete(results);
            }
        }

        @Override
        public void onFailure(String message) {
            done.completeExceptionally(new IllegalStateException(message));
        }
    }

    static List<Result> run(EngineLoop on, EngineRequest request) throws Exception {
        Collector c = new Collector(request.n());
        on.submit(request, c);
        return c.done.get(60, TimeUnit.SECONDS);
    }

    @Test
    void greedyIsDeterministicAndStopsAtLength() throws Exception {
        EngineRequest r = greedy(randomPrompt(1, 12), 10);
        Result a = run(engine, r).get(0);
        Result b = run(engine, r).get(0);
        assertEquals(10, a.tokens().size());
        assertEquals("length", a.finishReason());
        assertEquals(a.tokens(), b.tokens());
        assertEquals(a.text(), b.text());
    }

    @Test
    void seededSamplingIsReproducibleAndSeedMatters() throws Exception {
        int[] prompt = randomPrompt(2, 10);
        Result a = run(engine, request(prompt, 1, 16, 1.0, 5L)).get(0);
        Result b = run(engine, request(prompt, 1, 16, 1.0, 5L)).get(0);
        Result c = run(engine, request(prompt, 1, 16, 1.0, 6L)).get(0);
        assertEquals(a.tokens(), b.tokens());
        assertNotEquals(a.tokens(), c.tokens());
    }

    @Test
    void concurrentRequestsGiveTheSameTokensAsAlone() throws Exception {
        List<EngineRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(greedy(randomPrompt(100 + i, 5 + 7 * i), 8 + i));
        }
        List<List<Integer>> alone = new ArrayList<>();
        for (EngineRequest r : requests) {
            alone.add(run(engine, r).get(0).tokens());
        }
        List<Collector> collectors = new ArrayList<>();
        for (EngineRequest r : requests) {
            Collector c = new Collector(1);
            collectors.add(c);
            engine.submit(r, c);
        }
        for (int i = 0; i < requests.size(); i++) {
            assertEquals(alone.get(i), collectors.get(i).done.get(60, TimeUnit.SECONDS).get(0).tokens(),
                    "request " + i + " batched");
        }
    }

    @Test
    void prefixReuseAndChunkedPrefillGiveTheSameResultAsAColdPrefill() throws Exception {
        int[] first = randomPrompt(3, 40);
        Result turn1 = run(engine, greedy(first, 12)).get(0);
        // the next turn: the previous prompt, what the model said, then new tokens (a tool result)
        int[] next = new int[first.length + turn1.tokens().size() + 30];
        System.arraycopy(first, 0, next, 0, first.length);
        for (int i = 0; i < turn1.tokens().size(); i++) {
            next[first.length + i] = turn1.tokens().get(i);
        }
        int[] suffix = randomPrompt(4, 30);
        System.arraycopy(suffix, 0, next, first.length + turn1.tokens().size(), suffix.length);

        long hitsBefore = engine.prefixHitTokens();
        EngineRequest second = new EngineRequest("t", next, 1, 12, 0, 1.0, 0, null, 0, List.of(), Set.of(), true,
                false);
        Result reused = run(engine, second).get(0);
        long hit = engine.prefixHitTokens() - hitsBefore;
        // the cache held the prompt and all generated tokens but the last (never fed back)
        assertEquals(first.length + turn1.tokens().size() - 1, hit);

        Result cold = run(coldChunked, second).get(0);
        assertEquals(0, coldChunked.prefixHitTokens());
        assertEquals(cold.tokens(), reused.tokens());
        for (int i = 0; i < cold.logprobs().size(); i++) {
            assertEquals(cold.logprobs().get(i), reused.logprobs().get(i), 1e-3, "logprob " + i);
        }
    }

    @Test
    void choicesOfOneRequestForkFromOnePrefill() throws Exception {
        int[] prompt = randomPrompt(5, 20);
        Result single = run(engine, greedy(prompt, 8)).get(0);
        List<Result> three = run(engine, request(prompt, 3, 8, 0, null));
        assertEquals(3, three.size());
        for (Result r : three) {
            assertEquals(single.tokens(), r.tokens());
        }
        List<Result> sampled = run(engine, request(prompt, 3, 12, 1.0, 11L));
        assertFalse(sampled.get(0).tokens().equals(sampled.get(1).tokens())
                && sampled.get(1).tokens().equals(sampled.get(2).tokens()), "seeded choices differ from each other");
    }

    @Test
    void aCancelledRequestLeavesTheBatch() throws Exception {
        Collector c = new Collector(1);
        EngineLoop.Submission s = engine.submit(greedy(randomPrompt(6, 8), 3000), c);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.outputs == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(c.outputs > 0, "decoding started");
        s.cancel();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.runningRequests() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, engine.runningRequests());
        assertFalse(c.done.isDone(), "a cancelled request never finishes");
        assertTrue(c.tokens.get(0).size() < 3000);
    }

    @Test
    void aFailingStepFailsItsRequestsAndTheEngineGoesOn() throws Exception {
        // a token id outside the vocabulary (the input processor would refuse it) makes the forward pass throw
        int[] bad = randomPrompt(12, 6);
        bad[3] = 1_000_000;
        Collector failing = new Collector(1);
        engine.submit(greedy(bad, 4), failing);
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> failing.done.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("the model failed"), e.getCause().getMessage());
        assertEquals(5, run(engine, greedy(randomPrompt(13, 6), 5)).get(0).tokens().size());
        assertEquals(0, engine.runningRequests());
    }

    @Test
    void aListenerThatThrowsOnlyLosesItsOwnRequest() throws Exception {
        RequestListener broken = new RequestListener() {
            @Override
            public void onOutput(RequestOutput output) {
                throw new IllegalStateException("client gone");
            }

            @Override
            public void onFailure(String message) {
            }
        };
        engine.submit(greedy(randomPrompt(14, 6), 2000), broken);
        assertEquals(6, run(engine, greedy(randomPrompt(15, 6), 6)).get(0).tokens().size());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.runningRequests() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, engine.runningRequests(), "the broken request was dropped, not decoded to 2,000 tokens");
    }

    @Test
    void aFullQueueRefusesSubmissions() throws Exception {
        EngineLoop small = new EngineLoop(Qwen3Model.load(TestModels.base(), Device.cpu()), tokenizer,
                new EngineSettings(1, 1, 64, 0, 1L << 30, Duration.ofSeconds(5), 1), new SimpleMeterRegistry());
        small.start();
        try {
            Collector running = new Collector(1);
            EngineLoop.Submission first = small.submit(greedy(randomPrompt(7, 8), 3000), running);
            while (small.runningRequests() == 0) {
                Thread.sleep(5);
            }
            Collector waiting = new Collector(1);
            small.submit(greedy(randomPrompt(8, 8), 4), waiting);
            assertThrows(EngineOverloadedException.class,
                    () -> small.submit(greedy(randomPrompt(9, 8), 4), new Collector(1)));
            first.cancel();
            assertEquals(4, waiting.done.get(30, TimeUnit.SECONDS).get(0).tokens().size());
        } finally {
            small.close();
        }
    }

    /** A forward pass that waits at its first call until {@code gate} opens: later submissions then share a step. */
    static final class GatedForward implements ForwardPass {
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        /** Counted down when the first step's forward is held at the gate: what was submitted after it waits. */
        final java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        final java.util.function.Predicate<List<int[]>> fails;
        volatile int largestFailedBatch;
        private boolean first = true;

        GatedForward(java.util.function.Predicate<List<int[]>> fails) {
            this.fails = fails;
        }

        @Override
        public ai.aster.modeling.StepLogits forward(Qwen3Model model, List<ai.aster.modeling.KvCache> caches,
                List<int[]> tokens) {
            if (first) {
                first = false;
                holding.countDown();
                try {
                    gate.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (fails.test(tokens)) {
                largestFailedBatch = Math.max(largestFailedBatch, tokens.size());
                throw new IllegalStateException("simulated failure of a batch of " + tokens.size());
            }
            return model.forwardLogits(caches, tokens);
        }
    }

    static EngineLoop engineWith(EngineSettings settings, ForwardPass forward) {
        EngineLoop e = new EngineLoop(Qwen3Model.load(TestModels.base(), Device.cpu()), tokenizer, settings,
                new SimpleMeterRegistry(), forward);
        e.start();
        return e;
    }

    @Test
    void aStepThatFailsForLargeBatchesIsSplitAndEveryRequestCompletes() throws Exception {
        // as if memory ran out for any batch of more than two sequences
        GatedForward forward = new GatedForward(tokens -> tokens.size() > 2);
        EngineLoop splitting = engineWith(new EngineSettings(8, 16, 2048, 0, 1L << 30, Duration.ofSeconds(5), 1),
                forward);
        try {
            List<EngineRequest> requests = new ArrayList<>();
            List<Collector> collectors = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                requests.add(greedy(randomPrompt(300 + i, 6 + i), 7));
                collectors.add(new Collector(1));
                splitting.submit(requests.get(i), collectors.get(i));
                if (i == 0) {
                    // the first request's prefill is the held step, whatever the engine thread's timing; the other
                    // five then share the next step with its decode
                    assertTrue(forward.holding.await(30, TimeUnit.SECONDS));
                }
            }
            forward.gate.countDown();
            for (int i = 0; i < 6; i++) {
                assertEquals(run(engine, requests.get(i)).get(0).tokens(),
                        collectors.get(i).done.get(60, TimeUnit.SECONDS).get(0).tokens(), "request " + i);
            }
            assertEquals(6, forward.largestFailedBatch, "the first request's decode and five prefills shared a step");
        } finally {
            splitting.close();
        }
    }

    @Test
    void aSequenceWhoseStepFailsAloneFailsOnlyItsOwnRequest() throws Exception {
        int marker = 250; // randomPrompt never draws it
        GatedForward forward = new GatedForward(tokens -> tokens.stream()
                .anyMatch(chunk -> java.util.Arrays.stream(chunk).anyMatch(t -> t == marker)));
        EngineLoop faulty = engineWith(new EngineSettings(8, 16, 2048, 0, 1L << 30, Duration.ofSeconds(5), 1),
                forward);
        try {
            Collector first = new Collector(1);
            faulty.submit(greedy(randomPrompt(310, 5), 4), first);
            // its prefill is the held step; the rest queue behind it, whatever the engine thread's timing (without
            // this wait, a slow submit let the engine take the bad request into the held step: a batch of 2 or 3)
            assertTrue(forward.holding.await(30, TimeUnit.SECONDS));
            int[] bad = randomPrompt(311, 6);
            bad[2] = marker;
            Collector failing = new Collector(1);
            faulty.submit(greedy(bad, 4), failing);
            List<Collector> good = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                good.add(new Collector(1));
                faulty.submit(greedy(randomPrompt(312 + i, 7), 5), good.get(i));
            }
            forward.gate.countDown();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> failing.done.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("the model failed"), e.getCause().getMessage());
            for (Collector c : good) {
                assertEquals(5, c.done.get(30, TimeUnit.SECONDS).get(0).tokens().size());
            }
            assertEquals(4, first.done.get(30, TimeUnit.SECONDS).get(0).tokens().size());
            assertEquals(5, forward.largestFailedBatch, "the bad request shared its step with the four good ones");
            assertEquals(0, faulty.runningRequests());
        } finally {
            faulty.close();
        }
    }

    @Test
    void manyLongRequestsAgainstASmallKvBudgetAllComplete() throws Exception {
        // 40 prompt + 60 generated tokens: admitted at 64 positions of cache, each grows to 128 while decoding; the
        // budget holds five grown sequences, so the batch of 16 cannot all grow and the newest are preempted
        long perSequence = ai.aster.modeling.KvCache.bytesFor(engine.model().config(), 128);
        EngineLoop small = engineWith(new EngineSettings(16, 128, 2048, 0, 5 * perSequence, Duration.ofSeconds(5), 1),
                ForwardPass.MODEL);
        try {
            List<EngineRequest> requests = new ArrayList<>();
            List<Collector> collectors = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                requests.add(greedy(randomPrompt(400 + i, 40), 60));
                collectors.add(new Collector(1));
                small.submit(requests.get(i), collectors.get(i));
            }
            for (int i = 0; i < 64; i++) {
                Result r = collectors.get(i).done.get(300, TimeUnit.SECONDS).get(0);
                assertEquals(60, r.tokens().size(), "request " + i);
                assertEquals("length", r.finishReason());
                if (i % 8 == 0) {
                    assertEquals(run(engine, requests.get(i)).get(0).tokens(), r.tokens(),
                            "request " + i + ": recomputed after preemption, the same tokens as alone");
                }
            }
            assertTrue(small.preemptions() > 0, "the budget forced preemptions");
            assertEquals(0, small.runningRequests());
        } finally {
            small.close();
        }
    }

    @Test
    void aForcedSwapRecomputesEveryRunningSequenceOnTheNewWeights() throws Exception {
        EngineLoop swapping = engineWith(new EngineSettings(8, 16, 2048, 64L << 20, 1L << 30, Duration.ZERO, 1),
                ForwardPass.MODEL);
        Qwen3Model other = Qwen3Model.load(TestModels.other(), Device.cpu());
        EngineLoop reference = new EngineLoop(Qwen3Model.load(TestModels.other(), Device.cpu()), tokenizer,
                new EngineSettings(8, 16, 2048, 0, 1L << 30, Duration.ofSeconds(5), 1), new SimpleMeterRegistry());
        reference.start();
        try {
            int streams = 8;
            java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
            CompletableFuture<Long> swapped = new CompletableFuture<>();
            List<EngineRequest> requests = new ArrayList<>();
            List<Collector> collectors = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                requests.add(greedy(randomPrompt(500 + i, 10 + i), 40));
                collectors.add(new Collector(1) {
                    private boolean first = true;

                    @Override
                    public void onOutput(RequestOutput output) {
                        super.onOutput(output);
                        // on the engine thread: once all eight have tokens, the swap is forced at the next step
                        if (first) {
                            first = false;
                            if (started.incrementAndGet() == streams) {
                                swapping.swapWeights(other).whenComplete((v, e) -> swapped.complete(v));
                            }
                        }
                    }
                });
            }
            for (int i = 0; i < streams; i++) {
                swapping.submit(requests.get(i), collectors.get(i));
            }
            for (int i = 0; i < streams; i++) {
                Collector c = collectors.get(i);
                Result r = c.done.get(120, TimeUnit.SECONDS).get(0);
                assertEquals(40, r.tokens().size(), "stream " + i + " finished, no token lost or repeated");
                assertEquals("length", r.finishReason());
                assertEquals(List.of(1L, 2L), c.policyVersions, "stream " + i + " spans both versions");
                List<Long> versions = c.versions.get(0);
                int switchAt = versions.indexOf(2L);
                assertTrue(switchAt > 0, "tokens came from the old weights first");
                assertTrue(versions.subList(switchAt, versions.size()).stream().allMatch(v -> v == 2L));
                // the tokens after the swap are what the new weights say after prompt + the tokens before it
                int[] prompt = requests.get(i).promptIds();
                int[] resumed = java.util.Arrays.copyOf(prompt, prompt.length + switchAt);
                for (int t = 0; t < switchAt; t++) {
                    resumed[prompt.length + t] = r.tokens().get(t);
                }
                assertEquals(r.tokens().subList(switchAt, r.tokens().size()),
                        run(reference, greedy(resumed, 40 - switchAt)).get(0).tokens(), "stream " + i);
            }
            assertEquals(2L, swapped.get(30, TimeUnit.SECONDS));
            assertEquals(0, swapping.runningRequests());
        } finally {
            swapping.close();
            reference.close();
        }
    }

    @Test
    void aCancelledRequestGivesBackItsKvMemory() throws Exception {
        // budget = one sequence at its longest: whatever a cancelled one held must come back for the next
        long budget = ai.aster.modeling.KvCache.bytesFor(engine.model().config(), 1024);
        EngineLoop one = engineWith(new EngineSettings(1, 4, 2048, budget, budget, Duration.ofSeconds(5), 1),
                ForwardPass.MODEL);
        try {
            for (int round = 0; round < 2; round++) {
                Collector running = new Collector(1);
                java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
                EngineLoop.Submission s = one.submit(greedy(randomPrompt(600 + round, 7), 1000), new RequestListener() {
                    @Override
                    public void onOutput(RequestOutput output) {
                        running.onOutput(output);
                        started.countDown();
                    }

                    @Override
                    public void onFailure(String message) {
                        running.onFailure(message);
                        started.countDown();
                    }
                });
                assertTrue(started.await(60, TimeUnit.SECONDS));
                assertFalse(running.done.isCompletedExceptionally(), "admitted and decoding");
                Collector queued = new Collector(1);
                one.submit(greedy(randomPrompt(610 + round, 6), 4), queued);
                s.cancel();
                assertEquals(4, queued.done.get(60, TimeUnit.SECONDS).get(0).tokens().size());
            }
            Collector last = new Collector(1);
            one.submit(greedy(randomPrompt(620, 7), 1000), last);
            assertEquals(1000, last.done.get(300, TimeUnit.SECONDS).get(0).tokens().size());
        } finally {
            one.close();
        }
    }
}
