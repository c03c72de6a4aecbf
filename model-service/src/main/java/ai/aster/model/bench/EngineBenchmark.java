package ai.aster.model.bench;

import ai.aster.model.engine.ChoiceDelta;
import ai.aster.model.engine.EngineLoop;
import ai.aster.model.engine.EngineRequest;
import ai.aster.model.engine.EngineSettings;
import ai.aster.model.engine.RequestListener;
import ai.aster.model.engine.RequestOutput;
import ai.aster.modeling.ModelInit;
import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Tokenizer;
import ai.djl.Device;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * {@code ./aster bench model}: the embedded engine in-process (no HTTP) on a model of about 25M parameters made by
 * {@link ModelInit} (hidden 512, 8 layers, 8 heads, 2 KV heads). Every figure is compared with a baseline measured
 * in the same run; the ratio is the last thing on each line.
 *
 * <pre>java -cp ... ai.aster.model.bench.EngineBenchmark [--decode-tokens 512] [--concurrency 4,16,64] [--threads N]
 * [--cpu-time]</pre>
 * {@code --threads} sets PyTorch's intra-op threads (default one per core); 1 keeps OpenMP threads from spinning
 * against each other on a CPU shared with other busy processes. {@code --cpu-time} (with {@code --threads 1}, where
 * all compute runs on the calling thread) times the engine thread's CPU time instead of the wall clock, so other
 * processes on a shared machine do not count.
 */
public final class EngineBenchmark {

    private final EngineLoop engine;
    private final Qwen3Model baselineModel;
    private final Random random = new Random(1);
    /** Times the engine's work: the wall clock, or the engine thread's CPU time. */
    private final LongSupplier engineClock;
    /** Times work on this (the benchmark's) thread: the baselines that call the model directly. */
    private final LongSupplier mainClock;

    /** When each token of one request arrived (engine thread clock). */
    private final class Timing implements RequestListener {
        final long submitted = engineClock.getAsLong();
        final CompletableFuture<Timing> done = new CompletableFuture<>();
        long firstToken;
        long lastToken;
        int tokens;
        final List<Integer> ids = new ArrayList<>();

        @Override
        public void onOutput(RequestOutput output) {
            long now = engineClock.getAsLong();
            for (ChoiceDelta d : output.deltas()) {
                if (tokens == 0) {
                    firstToken = now;
                }
                tokens += d.tokenIds().size();
                ids.addAll(d.tokenIds());
            }
            lastToken = now;
            if (output.finished()) {
                done.complete(this);
            }
        }

        @Override
        public void onFailure(String message) {
            done.completeExceptionally(new IllegalStateException(message));
        }

        double ttftMs() {
            return (firstToken - submitted) / 1e6;
        }

        /** Decode speed after the first token. */
        double decodeTokensPerSecond() {
            return (tokens - 1) / ((lastToken - firstToken) / 1e9);
        }
    }

    private EngineBenchmark(EngineLoop engine, Qwen3Model baselineModel, boolean cpuTime) {
        this.engine = engine;
        this.baselineModel = baselineModel;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long engineThread = engine.threadId();
        this.engineClock = cpuTime ? () -> threads.getThreadCpuTime(engineThread) : System::nanoTime;
        this.mainClock = cpuTime ? threads::getCurrentThreadCpuTime : System::nanoTime;
    }

    public static void main(String[] args) throws Exception {
        int decodeTokens = 512;
        int[] concurrency = {4, 16, 64};
        boolean cpuTime = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--decode-tokens" -> decodeTokens = Integer.parseInt(args[++i]);
                case "--threads" -> Qwen3Model.setComputeThreads(Integer.parseInt(args[++i]));
                case "--cpu-time" -> cpuTime = true;
                case "--concurrency" -> concurrency = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt)
                        .toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("aster-bench-model");
        try {
            ModelInit.Options options = ModelInit.Options.benchmark();
            ModelInit.write(dir, options);
            Device device = Qwen3Model.defaultDevice();
            Qwen3Model model = Qwen3Model.load(dir, device);
            System.out.printf("model: %,d parameters (hidden %d, %d layers, %d heads, %d KV heads, vocab %d) on %s,"
                    + " %d cores; engine in-process, no HTTP%n", model.config().parameterCount(), options.hidden(),
                    options.layers(), options.heads(), options.kvHeads(), model.config().vocabSize(), device,
                    Runtime.getRuntime().availableProcessors());
            Tokenizer tokenizer = Tokenizer.load(dir);
            EngineLoop engine = new EngineLoop(model, tokenizer,
                    new EngineSettings(64, 1024, 2048, 2L << 30, 4L << 30, Duration.ofMinutes(1), 1), new SimpleMeterRegistry());
            engine.start();
            Qwen3Model baseline = Qwen3Model.load(dir, device);
            try {
                System.out.println(cpuTime ? "clock: CPU time of the engine thread (of the benchmark thread for the"
                        + " baselines that call the model directly)" : "clock: wall clock");
                new EngineBenchmark(engine, baseline, cpuTime).run(decodeTokens, concurrency);
            } finally {
                engine.close();
                baseline.close();
                tokenizer.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp folder left behind
            }
        }
        System.exit(0);
    }

    private void run(int decodeTokens, int[] concurrency) throws Exception {
        // warm-up: first calls load kernels and grow caches
        submit(prompt(64), 32).done.get();
        submit(prompt(64), 32).done.get();

        // 1. single-stream decode with the KV cache against recomputing the prefix at every step
        Timing single = submit(prompt(16), decodeTokens).done.get();
        double kv = single.decodeTokensPerSecond();
        System.out.printf("single-stream decode, KV cache, %d tokens: %.1f tokens/s%n", decodeTokens, kv);
        double recompute = recomputeTokensPerSecond(prompt(16), decodeTokens);
        System.out.printf("decode without KV cache (whole prefix recomputed each step), %d tokens: %.1f tokens/s"
                + " | KV cache speed-up: %.1fx (target >= 5x)%n", decodeTokens, recompute, kv / recompute);

        // 2. aggregate throughput, concurrent requests against one at a time
        int perRequest = 128;
        int sequential = 4;
        long t0 = engineClock.getAsLong();
        for (int i = 0; i < sequential; i++) {
            submit(prompt(32), perRequest).done.get();
        }
        double oneAtATime = sequential * perRequest / ((engineClock.getAsLong() - t0) / 1e9);
        System.out.printf("one request at a time (%d x %d tokens): %.1f tokens/s | 1.00x%n", sequential, perRequest,
                oneAtATime);
        for (int c : concurrency) {
            long start = engineClock.getAsLong();
            List<Timing> all = new ArrayList<>();
            for (int i = 0; i < c; i++) {
                all.add(submit(prompt(32), perRequest));
            }
            int tokens = 0;
            for (Timing t : all) {
                tokens += t.done.get().tokens;
            }
            double aggregate = tokens / ((engineClock.getAsLong() - start) / 1e9);
            System.out.printf("%d concurrent requests (%d tokens each): %.1f tokens/s aggregate | %.2fx of one at a"
                    + " time%s%n", c, perRequest, aggregate, aggregate / oneAtATime, c == 16 ? " (target >= 6x)" : "");
            if (c == 16) {
                // what the model itself gives for the same work: engine overhead = the gap to this line
                rawBatchedTokensPerSecond(c, 32, 16); // warm-up of the second model instance
                double raw = rawBatchedTokensPerSecond(c, 32, perRequest);
                System.out.printf("  the model alone, %d sequences in batched forward calls, no engine: %.1f tokens/s"
                        + " | engine at %.2fx of it; the model alone at %.2fx of one at a time%n", c, raw,
                        aggregate / raw, raw / oneAtATime);
            }
        }

        // 3. time to first token of a 1,000-token prompt (cold: no cached prefix), median of 3
        double[] ttft = new double[3];
        for (int i = 0; i < ttft.length; i++) {
            ttft[i] = submit(prompt(1000), 1).done.get().ttftMs();
        }
        Arrays.sort(ttft);
        double perToken = ttft[1] / 1000;
        System.out.printf("time to first token, 1,000-token prompt: %.0f ms (median of 3) | %.2f ms per prompt token,"
                + " %.1fx the time of one decode step%n", ttft[1], perToken, ttft[1] / (1000 / kv));

        // 4. a 10-turn conversation: each turn appends 200 tokens, generates 50; last turn with and without reuse
        List<Integer> history = new ArrayList<>();
        Timing last = null;
        int[] lastPrompt = null;
        for (int turn = 1; turn <= 10; turn++) {
            for (int t : prompt(200)) {
                history.add(t);
            }
            lastPrompt = history.stream().mapToInt(Integer::intValue).toArray();
            last = submit(lastPrompt, 50);
            Timing done = last.done.get();
            history.addAll(done.ids);
        }
        double reusedMs = last.ttftMs();
        engine.clearPrefixCache().get();
        double coldMs = submit(lastPrompt, 50).done.get().ttftMs();
        System.out.printf("10-turn conversation, last turn prefill (%,d-token prompt): %.0f ms with prefix reuse,"
                + " %.0f ms with the cache cleared | %.2fx (target <= 0.2x)%n", lastPrompt.length, reusedMs, coldMs,
                reusedMs / coldMs);
    }

    private double recomputeTokensPerSecond(int[] prompt, int tokens) {
        int[] sequence = Arrays.copyOf(prompt, prompt.length + tokens);
        int length = prompt.length;
        long start = mainClock.getAsLong();
        for (int i = 0; i < tokens; i++) {
            float[] logits = baselineModel.logitsWithoutCache(Arrays.copyOf(sequence, length));
            sequence[length++] = argmax(logits);
        }
        return tokens / ((mainClock.getAsLong() - start) / 1e9);
    }

    /** Prefill {@code batch} prompts in one call, then decode them together: the model's own batched speed. */
    private double rawBatchedTokensPerSecond(int batch, int promptLength, int tokens) {
        List<ai.aster.modeling.KvCache> caches = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            caches.add(baselineModel.newCache());
            prompts.add(prompt(promptLength));
        }
        long start = mainClock.getAsLong();
        float[][] logits = baselineModel.forward(caches, prompts);
        for (int step = 1; step < tokens; step++) {
            List<int[]> next = new ArrayList<>(batch);
            for (float[] row : logits) {
                next.add(new int[] {argmax(row)});
            }
            logits = baselineModel.forward(caches, next);
        }
        double seconds = (mainClock.getAsLong() - start) / 1e9;
        caches.forEach(ai.aster.modeling.KvCache::close);
        return batch * tokens / seconds;
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private Timing submit(int[] prompt, int maxTokens) {
        Timing timing = new Timing();
        engine.submit(request(prompt, maxTokens), timing);
        return timing;
    }

    private static EngineRequest request(int[] prompt, int maxTokens) {
        return new EngineRequest("bench", prompt, 1, maxTokens, 0, 1.0, 0, null, null, List.of(), Set.of(), true,
                false);
    }

    private int[] prompt(int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = random.nextInt(256); // byte tokens
        }
        return ids;
    }
}
