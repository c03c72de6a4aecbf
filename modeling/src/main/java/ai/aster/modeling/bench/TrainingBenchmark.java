package ai.aster.modeling.bench;

import ai.aster.modeling.ModelInit;
import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.train.GrpoAdvantages;
import ai.aster.modeling.train.GrpoLoss;
import ai.aster.modeling.train.LearningRateSchedule;
import ai.aster.modeling.train.PolicyTrainer;
import ai.aster.modeling.train.StepMetrics;
import ai.aster.modeling.train.TrainingSequence;
import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Training throughput of {@link PolicyTrainer} (the step trainer-service's SFT and GRPO jobs run) on a model folder
 * made by {@link ModelInit} (the ~24M-parameter benchmark size), on the wall clock:
 * <ul>
 * <li>SFT: {@link PolicyTrainer#sftStep} on a batch of random sequences (default 8 x 512 tokens, one micro-batch,
 * loss mask 0 on a 64-token prompt), against a plain eager PyTorch fp32 step of the same architecture on the same
 * batch ({@code bench/torch_eager_train.py} in a child process: forward, token-mean cross-entropy, backward,
 * clip_grad_norm_, AdamW). The two take turns step by step (order reversed every round), so load from other work
 * hits both alike; warm-up steps are excluded and the median step counts. The first timed round also checks that
 * both compute the same loss on the same tokens.</li>
 * <li>GRPO: {@link PolicyTrainer#grpoStep} on one synthetic group (rollout log-probs near the model's own, rewards
 * half 1 and half 0, a loss mask with tool-result gaps), split into forward/backward (old log-probs included) and
 * optimizer seconds as {@link StepMetrics} reports them.</li>
 * </ul>
 * The last two lines printed are {@code sft tokens/s: N} and the ratio against PyTorch.
 *
 * <pre>TrainingBenchmark [--model DIR] [--batch 8] [--length 512] [--steps 5] [--warmup 1] [--grpo-steps 3]
 *                   [--threads N] [--quick] [--torch SCRIPT [--python EXE]]</pre>
 */
public final class TrainingBenchmark {

    /** Untrained prompt tokens at the start of every synthetic sequence. */
    static final int PROMPT = 64;
    /** GRPO's synthetic turns: model-written tokens, then a tool result the loss masks out. */
    static final int MODEL_TURN = 96;
    static final int TOOL_RESULT = 32;

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();

    private TrainingBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = null;
        int batch = 8;
        int length = 512;
        int steps = 5;
        int warmup = 1;
        int grpoSteps = 3;
        String torch = null;
        String python = "/usr/bin/python3";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> dir = Path.of(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--length" -> length = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--grpo-steps" -> grpoSteps = Integer.parseInt(args[++i]);
                case "--threads" -> Qwen3Model.setComputeThreads(Integer.parseInt(args[++i]));
                case "--quick" -> {
                    steps = 3;
                    grpoSteps = 2;
                }
                case "--torch" -> torch = args[++i];
                case "--python" -> python = args[++i];
                default -> throw new IllegalArgumentException("usage: TrainingBenchmark [--model DIR] [--batch N]"
                        + " [--length N] [--steps N] [--warmup N] [--grpo-steps N] [--threads N] [--quick]"
                        + " [--torch SCRIPT [--python EXE]]");
            }
        }
        if (batch < 1 || length <= PROMPT + 1 || steps < 1 || warmup < 0 || grpoSteps < 0) {
            throw new IllegalArgumentException("need --batch >= 1, --length > " + (PROMPT + 1)
                    + ", --steps >= 1, --warmup >= 0, --grpo-steps >= 0");
        }
        if (grpoSteps > 0 && batch < 2) {
            throw new IllegalArgumentException("the GRPO group needs --batch >= 2 (a group of one has no advantage),"
                    + " or --grpo-steps 0");
        }
        boolean temporary = dir == null;
        if (temporary) {
            dir = Files.createTempDirectory("aster-bench-train");
            ModelInit.write(dir, ModelInit.Options.benchmark());
        }
        try {
            new TrainingBenchmark().run(dir, batch, length, steps, warmup, grpoSteps, torch, python);
        } finally {
            if (temporary) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    private void run(Path dir, int batch, int length, int steps, int warmup, int grpoSteps, String torch,
            String python) throws IOException {
        Device device = Qwen3Model.defaultDevice();
        int threads = JniUtils.getNumThreads();
        Process baseline = torch == null ? null : start(dir, python, torch, threads);
        try (Qwen3Model model = Qwen3Model.load(dir, device);
                PolicyTrainer trainer = new PolicyTrainer(model, new PolicyTrainer.Options(
                        LearningRateSchedule.constant(1e-5), 1.0, batch, 0.01,
                        GrpoLoss.aster()))) {
            System.out.printf("model: %s, %,d parameters (hidden %d, %d layers, %d heads, %d KV heads, vocab %d),"
                    + " device %s, %d cores, %d PyTorch threads%n", dir, model.config().parameterCount(),
                    model.config().hiddenSize(), model.config().numHiddenLayers(),
                    model.config().numAttentionHeads(), model.config().numKeyValueHeads(),
                    model.config().vocabSize(), device, Runtime.getRuntime().availableProcessors(), threads);
            System.out.printf("SFT batch: %d x %d tokens in one micro-batch, loss mask 0 on the first %d tokens;"
                    + " %d warm-up step(s) per side excluded, median of %d timed steps, wall clock%n", batch,
                    length, PROMPT, warmup, steps);
            double[][] ours; // {wall seconds, CPU seconds} per timed step
            double[][] theirs = null;
            if (baseline == null) {
                ours = sft(trainer, batch, length, warmup, steps, null, null, null);
            } else {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(baseline.getInputStream(),
                        StandardCharsets.UTF_8));
                        PrintWriter in = new PrintWriter(baseline.getOutputStream(), true, StandardCharsets.UTF_8)) {
                    String ready = out.readLine();
                    if (ready == null || !ready.startsWith("ready")) {
                        throw new IllegalStateException("the PyTorch baseline did not start: " + ready);
                    }
                    System.out.println("baseline: eager PyTorch fp32, " + ready.substring("ready".length()).trim());
                    theirs = new double[steps][];
                    ours = sft(trainer, batch, length, warmup, steps, in, out, theirs);
                    in.println("quit");
                }
            }
            int tokens = batch * length;
            if (grpoSteps > 0) {
                grpo(trainer, model, batch, length, grpoSteps);
            }
            double oursWall = median(ours, 0);
            System.out.println();
            System.out.printf("SFT step, median of %d: ours %.2f s wall (%,.0f tokens/s), %.2f s CPU", steps,
                    oursWall, tokens / oursWall, median(ours, 1));
            if (theirs != null) {
                double theirsWall = median(theirs, 0);
                System.out.printf("; eager PyTorch %.2f s wall (%,.0f tokens/s), %.2f s CPU%n", theirsWall,
                        tokens / theirsWall, median(theirs, 1));
                // process CPU time: what each side's work cost, which load from other processes distorts far less
                System.out.printf("by CPU time: ours / eager PyTorch %.2fx%n", median(theirs, 1) / median(ours, 1));
            } else {
                System.out.println();
            }
            System.out.printf("sft tokens/s: %.0f%n", tokens / oursWall);
            if (theirs != null) {
                System.out.printf("sft ours / eager PyTorch fp32 (wall clock): %.2fx (target >= 1.0x)%n",
                        median(theirs, 0) / oursWall);
            }
        } finally {
            if (baseline != null) {
                baseline.destroy();
            }
        }
    }

    /**
     * Warm-up plus timed SFT steps, ours interleaved with the baseline's when {@code in} is set (its {wall, CPU}
     * seconds go to {@code theirs}); returns our timed steps' {wall, CPU} seconds.
     */
    private static double[][] sft(PolicyTrainer trainer, int batch, int length, int warmup, int steps,
            PrintWriter in, BufferedReader out, double[][] theirs) throws IOException {
        Random random = new Random(7);
        double[][] ours = new double[steps][];
        for (int s = -warmup; s < steps; s++) {
            List<TrainingSequence> sequences = sftBatch(random, trainer.model().config().vocabSize(), batch, length);
            boolean oursFirst = s % 2 == 0;
            double[] torchStep = null;
            if (in != null && !oursFirst) {
                torchStep = torchStep(in, out, sequences);
            }
            long cpu = PROCESS.getProcessCpuTime();
            long started = System.nanoTime();
            StepMetrics m = trainer.sftStep(sequences);
            double[] step = {(System.nanoTime() - started) / 1e9, (PROCESS.getProcessCpuTime() - cpu) / 1e9};
            if (in != null && oursFirst) {
                torchStep = torchStep(in, out, sequences);
            }
            String label = s < 0 ? "warm-up" : "step " + (s + 1);
            System.out.printf("  %-8s ours %6.2f s (CPU %6.2f; forward/backward %.2f, optimizer %.2f), loss %.4f",
                    label, step[0], step[1], m.forwardBackwardSeconds(), m.optimizerSeconds(), m.loss());
            if (torchStep != null) {
                System.out.printf("; PyTorch %6.2f s (CPU %6.2f), loss %.4f", torchStep[0], torchStep[1],
                        torchStep[2]);
            }
            System.out.println();
            if (torchStep != null && s == -warmup && Math.abs(torchStep[2] - m.loss()) > 1e-3) {
                // both start from the same weights: the first step's loss on the same tokens must agree
                throw new IllegalStateException("the baseline computes another loss (" + torchStep[2]
                        + " against ours " + m.loss() + "): not the same model or batch");
            }
            if (s >= 0) {
                ours[s] = step;
                if (torchStep != null) {
                    theirs[s] = torchStep;
                }
            }
        }
        return ours;
    }

    private static List<TrainingSequence> sftBatch(Random random, int vocab, int batch, int length) {
        List<TrainingSequence> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] tokens = new int[length];
            boolean[] mask = new boolean[length];
            for (int t = 0; t < length; t++) {
                tokens[t] = random.nextInt(vocab);
                mask[t] = t >= PROMPT;
            }
            out.add(new TrainingSequence(tokens, mask));
        }
        return out;
    }

    /** Sends the batch's tokens to the baseline, which runs one step on them: {wall seconds, CPU seconds, loss}. */
    private static double[] torchStep(PrintWriter in, BufferedReader out, List<TrainingSequence> sequences)
            throws IOException {
        StringBuilder ids = new StringBuilder();
        for (TrainingSequence s : sequences) {
            for (int id : s.tokens()) {
                ids.append(id).append(' ');
            }
        }
        in.println("step " + sequences.size() + " " + sequences.get(0).tokens().length + " " + PROMPT);
        in.println(ids.toString().trim());
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("the PyTorch baseline exited");
        }
        String[] parts = line.trim().split(" ");
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
    }

    /**
     * GRPO steps on one group of {@code batch} synthetic rollouts: prompt, then model turns and tool results
     * taking turns; rollout log-probs are the model's own plus noise (so ratios, clipping and the TIS weight do
     * real work); rewards alternate 1 and 0.
     */
    private static void grpo(PolicyTrainer trainer, Qwen3Model model, int batch, int length, int steps) {
        Random random = new Random(11);
        int vocab = model.config().vocabSize();
        int[][] tokens = new int[batch][length];
        boolean[][] masks = new boolean[batch][length];
        int trained = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                tokens[b][t] = random.nextInt(vocab);
                int inTurn = (t - PROMPT) % (MODEL_TURN + TOOL_RESULT);
                masks[b][t] = t >= PROMPT && inTurn < MODEL_TURN;
                trained += masks[b][t] ? 1 : 0;
            }
        }
        float[][] own = model.sequenceLogprobs(tokens); // own[b][t] = log p(tokens[t+1] | ...)
        List<GrpoAdvantages.Rollout> group = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[] rollout = new float[length];
            rollout[0] = Float.NaN;
            for (int t = 1; t < length; t++) {
                rollout[t] = own[b][t - 1] + (float) (random.nextGaussian() * 0.05);
            }
            group.add(new GrpoAdvantages.Rollout(new TrainingSequence(tokens[b], masks[b], rollout), b % 2));
        }
        GrpoAdvantages.Result samples = GrpoAdvantages.compute(List.of(group));
        System.out.printf("%nGRPO: one group of %d rollouts x %d tokens (%d trained: %d-token prompt, then %d-token"
                + " model turns and %d-token tool results), rollout log-probs, rewards 1/0; one micro-batch; 1"
                + " warm-up step, then %d%n", batch, length, trained, PROMPT, MODEL_TURN, TOOL_RESULT, steps);
        trainer.grpoStep(samples);
        double[] total = new double[steps];
        double[] forwardBackward = new double[steps];
        double[] optimizer = new double[steps];
        for (int s = 0; s < steps; s++) {
            long started = System.nanoTime();
            StepMetrics m = trainer.grpoStep(samples);
            total[s] = (System.nanoTime() - started) / 1e9;
            forwardBackward[s] = m.forwardBackwardSeconds();
            optimizer[s] = m.optimizerSeconds();
            System.out.printf("  step %d   %6.2f s: forward/backward %.2f (old log-probs included), optimizer %.2f;"
                    + " loss %.4f, clip fraction %.3f, approx KL %.4f%n", s + 1, total[s], forwardBackward[s],
                    optimizer[s], m.loss(), m.clipFraction(), m.approxKl());
        }
        double t = median(total);
        double fb = median(forwardBackward);
        double opt = median(optimizer);
        System.out.printf("GRPO step, median: %.2f s = forward/backward %.2f s (%.0f%%) + optimizer %.2f s (%.0f%%)"
                + " + other %.2f s; rollout, reward and weight sync are a GRPO job's phases (its steps.jsonl)%n", t,
                fb, fb / t * 100, opt, opt / t * 100, t - fb - opt);
    }

    private static Process start(Path dir, String python, String script, int threads) {
        try {
            ProcessBuilder pb = new ProcessBuilder(python, script, dir.toString(), "--threads",
                    String.valueOf(threads));
            pb.environment().put("OPENBLAS_NUM_THREADS", "1");
            pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + python + " " + script, e);
        }
    }

    private static double median(double[][] rows, int column) {
        return median(Arrays.stream(rows).mapToDouble(r -> r[column]).toArray());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
