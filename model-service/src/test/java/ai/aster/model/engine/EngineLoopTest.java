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
                new EngineSettings(8, 16, 2048, 64L << 20, Duration.ofSeconds(30), 1), new SimpleMeterRegistry());
        engine.start();
        coldChunked = new EngineLoop(Qwen3Model.load(TestModels.base(), Device.cpu()), tokenizer,
                new EngineSettings(4, 16, 8, 0, Duration.ofSeconds(30), 1), new SimpleMeterRegistry());
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
    static final class Collector implements RequestListener {
        final CompletableFuture<List<Result>> done = new CompletableFuture<>();
        final List<List<Integer>> tokens = new ArrayList<>();
        final List<List<Double>> logprobs = new ArrayList<>();
        final List<StringBuilder> texts = new ArrayList<>();
        final List<String> finish = new ArrayList<>();
        volatile int outputs;

        Collector(int n) {
            for (int i = 0; i < n; i++) {
                tokens.add(new ArrayList<>());
                logprobs.add(new ArrayList<>());
                texts.add(new StringBuilder());
                finish.add(null);
            }
        }

        @Override
        public void onOutput(RequestOutput output) {
            outputs++;
            for (ChoiceDelta d : output.deltas()) {
                tokens.get(d.index()).addAll(d.tokenIds());
                texts.get(d.index()).append(d.text());
                if (d.logprobs() != null) {
                    d.logprobs().forEach(lp -> logprobs.get(d.index()).add(lp.logprob()));
                }
                if (d.finishReason() != null) {
                    finish.set(d.index(), d.finishReason());
                }
            }
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
                new EngineSettings(1, 1, 64, 0, Duration.ofSeconds(5), 1), new SimpleMeterRegistry());
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
}
