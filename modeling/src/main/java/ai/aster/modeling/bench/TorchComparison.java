package ai.aster.modeling.bench;

import ai.aster.modeling.KvCache;
import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Sample;
import ai.aster.modeling.Sampler;
import ai.aster.modeling.SamplingParams;
import ai.aster.modeling.StepLogits;
import ai.djl.Device;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Single-stream decode of one model folder by this library and by eager PyTorch fp32 (the script
 * {@code bench/torch_eager_decode.py} in a child process), greedy and with sampling at temperature 0.6 / top-p
 * 0.95, on the wall clock. Each arm runs a 16-token prompt's prefill plus N decode steps; the arms take turns
 * (in reverse order every other round) and each keeps its best round. Ours samples through {@link Sampler} on the
 * step's native logits and reports each token's log-probability (the serving path); PyTorch does what
 * transformers' generate() does (argmax, or temperature, TopPLogitsWarper's sort, softmax, multinomial) without
 * log-probabilities.
 */
final class TorchComparison {

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    static final double TEMPERATURE = 0.6;
    static final double TOP_P = 0.95;

    private TorchComparison() {
    }

    /** Runs the comparison and returns the one-line summary (also printed with the details). */
    static String run(Path dir, String python, String script, boolean quick) {
        int tokens = quick ? 32 : 128;
        int rounds = quick ? 2 : 3;
        Process torch = start(dir, python, script);
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu());
                BufferedReader out = new BufferedReader(new InputStreamReader(torch.getInputStream(),
                        StandardCharsets.UTF_8));
                PrintWriter in = new PrintWriter(torch.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String ready = out.readLine();
            if (ready == null || !ready.startsWith("ready")) {
                throw new IllegalStateException("the PyTorch baseline did not start: " + ready);
            }
            int vocab = model.config().vocabSize();
            System.out.printf("%nsingle-stream decode against eager PyTorch fp32, %s (vocab %,d, %,d parameters)%n",
                    dir, vocab, model.config().parameterCount());
            System.out.println("  baseline: " + ready.substring("ready".length()).trim() + ", wall clock, "
                    + tokens + " tokens after a 16-token prompt, best of " + rounds + " interleaved rounds");
            // warm-up: first calls pay for allocator and kernel selection
            decode(model, true, 8, 0, new long[4]);
            torchDecode(in, out, "greedy", 8, 0);
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            long[] cpu = new long[4]; // CPU ns: greedy forward, greedy pick, sampled forward, sampled pick
            for (int r = 0; r < rounds; r++) {
                // the arms' order reverses every round, so a load trend during a round favours none of them
                for (int a = 0; a < 4; a++) {
                    int arm = r % 2 == 0 ? a : 3 - a;
                    double seconds = switch (arm) {
                        case 0 -> decode(model, true, tokens, r + 1, cpu);
                        case 1 -> torchDecode(in, out, "greedy", tokens, r + 1);
                        case 2 -> decode(model, false, tokens, r + 1, cpu);
                        default -> torchDecode(in, out, "sample", tokens, r + 1);
                    };
                    best[arm] = Math.min(best[arm], seconds);
                }
            }
            in.println("quit");
            double oursGreedy = tokens / best[0];
            double torchGreedy = tokens / best[1];
            double oursSampled = tokens / best[2];
            double torchSampled = tokens / best[3];
            System.out.printf("  greedy:               ours %6.1f tokens/s, PyTorch eager %6.1f tokens/s: %.2fx%n",
                    oursGreedy, torchGreedy, oursGreedy / torchGreedy);
            System.out.printf("  T %.1f, top-p %.2f:    ours %6.1f tokens/s, PyTorch eager %6.1f tokens/s: %.2fx%n",
                    TEMPERATURE, TOP_P, oursSampled, torchSampled, oursSampled / torchSampled);
            System.out.printf("  ours, top-p against greedy: %+.1f%% (target within 5%%); ours sampling against PyTorch"
                    + " greedy: %.2fx%n", (oursSampled / oursGreedy - 1) * 100, oursSampled / torchGreedy);
            // the same split by this thread's CPU time (one PyTorch thread: all our compute runs here), which load
            // from other processes distorts far less than the wall clock
            double steps = rounds * (double) tokens;
            double forwardMs = (cpu[0] + cpu[2]) / 1e6 / (2 * (steps + rounds));
            double greedyMs = cpu[1] / 1e6 / steps;
            double topPMs = cpu[3] / 1e6 / steps;
            System.out.printf("  ours by thread CPU time per token: forward %.2f ms, greedy pick %.3f ms, top-p pick"
                    + " %.3f ms: top-p tokens cost %+.1f%% against greedy%n", forwardMs, greedyMs, topPMs,
                    (topPMs - greedyMs) / (forwardMs + greedyMs) * 100);
            return String.format("vocab %,d: ours with sampling %.1f tokens/s vs eager PyTorch with sampling %.1f ="
                    + " %.2fx (target >= 2x); top-p vs greedy %+.1f%% (target within 5%%)", vocab, oursSampled,
                    torchSampled, oursSampled / torchSampled, (oursSampled / oursGreedy - 1) * 100);
        } catch (IOException e) {
            throw new UncheckedIOException("talking to the PyTorch baseline", e);
        } finally {
            torch.destroy();
        }
    }

    private static Process start(Path dir, String python, String script) {
        try {
            ProcessBuilder pb = new ProcessBuilder(python, script, dir.toString(), "--threads", "1",
                    "--temperature", String.valueOf(TEMPERATURE), "--top-p", String.valueOf(TOP_P));
            pb.environment().put("OPENBLAS_NUM_THREADS", "1");
            pb.environment().put("OMP_NUM_THREADS", "1");
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + python + " " + script, e);
        }
    }

    private static double torchDecode(PrintWriter in, BufferedReader out, String mode, int tokens, int seed)
            throws IOException {
        in.println(mode + " " + tokens + " " + seed);
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("the PyTorch baseline exited");
        }
        return Double.parseDouble(line.trim());
    }

    /**
     * Seconds for prefill plus {@code tokens} decode steps, sampling each token from the native logits; adds this
     * thread's CPU time of the forward steps and of the picks to {@code cpu} (greedy at 0 and 1, sampled at 2, 3).
     */
    private static double decode(Qwen3Model model, boolean greedy, int tokens, long seed, long[] cpu) {
        Random random = new Random(seed);
        int[] prompt = new int[16];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = random.nextInt(256);
        }
        Sampler sampler = Sampler.of(greedy ? SamplingParams.greedy()
                : new SamplingParams(TEMPERATURE, TOP_P, 0, seed, 0));
        long start = System.nanoTime();
        try (KvCache cache = model.newCache()) {
            int[] next = prompt;
            int arm = greedy ? 0 : 2;
            for (int i = 0; i <= tokens; i++) {
                long c0 = THREADS.getCurrentThreadCpuTime();
                try (StepLogits logits = model.forwardLogits(List.of(cache), List.of(next))) {
                    long c1 = THREADS.getCurrentThreadCpuTime();
                    cpu[arm] += c1 - c0;
                    if (i == tokens) {
                        break;
                    }
                    Sample s = sampler.sample(logits, 0);
                    next = new int[] {s.tokenId()};
                    cpu[arm + 1] += THREADS.getCurrentThreadCpuTime() - c1;
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
