package ai.aster.trainer.replicate;

import java.util.List;

/**
 * Every number of a replication run, in one place so that they can be tuned together: the model's size, the seeds,
 * how many problems each stage sees, and the SFT, GRPO and evaluation settings. {@link #quick()} is the preset the
 * CI test runs (minutes on 2 cores, platform start included), {@link #full()} the one the report in
 * docs/replication.md comes from (under an hour on 2 cores).
 *
 * @param name         {@code quick} or {@code full}
 * @param seed         the model's initial weights, the curriculum draws and the jobs' data order and sampling
 * @param model        the fresh model's dimensions and its tokenizer's BPE merges
 * @param denseProblems training problems the dense arm is taught on (the sparse arm gets as many problems as it
 *                     takes to reach the same number of training tokens)
 * @param trainPool    training problems drawn in all: the sparse arm's problems and the GRPO prompts come from them
 * @param heldOut      held-out problems of the evaluation
 * @param levels       curriculum levels used (1 to 3)
 * @param sft          the cold start of both arms
 * @param grpo         the RL stage of each setting
 * @param eval         the held-out evaluation
 */
public record ReplicateSettings(String name, long seed, ModelSize model, int denseProblems, int trainPool, int heldOut,
        List<Integer> levels, Sft sft, Grpo grpo, Eval eval) {

    /** The fresh model: Qwen3 architecture, float32, with byte-level BPE merges learnt from the teacher's text. */
    public record ModelSize(int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate,
            int maxPosition, int merges) {}

    /** The SFT job of each arm ({@code type: sft}; keys as docs/training.md, "SFT"). */
    public record Sft(int epochs, int batchSize, int microBatchSize, double lr, int warmupSteps, int maxSeqLen) {}

    /**
     * The GRPO job of each setting ({@code type: grpo}).
     *
     * @param budget         B, the interaction budget of the dense and sparse settings
     * @param ablationBudget the dense arm's budget in the ablation (1)
     * @param overlongBuffer DAPO's overlong shaping buffer in tokens (penalty 1); 0 = off. A small cold-started
     *                       model is rarely right, and a group whose rollouts all score 0 carries no signal (GRPO
     *                       drops it and, after ten such draws in a row, fails the job); the length term separates
     *                       rollouts that ramble from those that stop
     */
    public record Grpo(int steps, int promptsPerStep, int rolloutsPerPrompt, int budget, int ablationBudget,
            int maxTokens, double temperature, double lr, int overlongBuffer) {}

    /**
     * @param k          samples per held-out problem (avg@k)
     * @param every      evaluate after every this many RL steps (and after the last one)
     * @param maxTokens   completion tokens per sample, all turns
     * @param concurrency samples in flight: the model service batches them, and for a small model a batch costs
     *                    about what one sequence does
     */
    public record Eval(int k, double temperature, int maxTokens, int every, int concurrency) {}

    public ReplicateSettings {
        levels = List.copyOf(levels);
        validate(name, model, denseProblems, trainPool, heldOut, levels, sft, grpo, eval);
    }

    public static ReplicateSettings quick() {
        return new ReplicateSettings("quick", 7,
                new ModelSize(64, 2, 4, 2, 16, 192, 4096, 400),
                12, 48, 6, List.of(1),
                new Sft(2, 4, 4, 1e-3, 2, 4096),
                new Grpo(1, 2, 4, 4, 1, 256, 1.0, 1e-5, 96),
                new Eval(2, 0.6, 256, 1, 12));
    }

    /**
     * Sized for under an hour on 2 cores (about 35 minutes on a quiet machine): teaching is about a second per
     * sandbox call, an SFT step of 8 dense trajectories about 1.6 s, a GRPO step of 24 rollouts about a minute.
     */
    public static ReplicateSettings full() {
        return new ReplicateSettings("full", 7,
                new ModelSize(128, 4, 4, 2, 32, 384, 4096, 800),
                64, 400, 12, List.of(1, 2, 3),
                new Sft(16, 8, 8, 3e-3, 10, 4096),
                new Grpo(3, 4, 6, 8, 1, 768, 1.0, 1e-4, 256),
                new Eval(4, 0.6, 768, 3, 16));
    }

    public static ReplicateSettings preset(String name) {
        return switch (name) {
            case "quick" -> quick();
            case "full" -> full();
            default -> throw new IllegalArgumentException("--preset must be quick or full; was '" + name + "'");
        };
    }

    public ReplicateSettings withSeed(long newSeed) {
        return new ReplicateSettings(name, newSeed, model, denseProblems, trainPool, heldOut, levels, sft, grpo, eval);
    }

    /** The RL steps after which the held-out split is evaluated: every {@code eval.every}, and the last. */
    public List<Integer> evaluatedSteps() {
        List<Integer> steps = new java.util.ArrayList<>();
        for (int s = eval.every(); s < grpo.steps(); s += eval.every()) {
            steps.add(s);
        }
        steps.add(grpo.steps());
        return List.copyOf(steps);
    }

    private static void validate(String name, ModelSize m, int denseProblems, int trainPool, int heldOut,
            List<Integer> levels, Sft sft, Grpo grpo, Eval eval) {
        require(name != null && !name.isBlank(), "a preset needs a name");
        require(m.hidden() > 0 && m.layers() > 0 && m.heads() > 0 && m.kvHeads() > 0 && m.headDim() > 0
                && m.intermediate() > 0 && m.merges() >= 0, "model dimensions must be positive");
        require(m.heads() % m.kvHeads() == 0, "heads must be a multiple of kv heads");
        require(m.maxPosition() >= sft.maxSeqLen(), "max position must cover the SFT's max_seq_len");
        require(denseProblems > 0 && heldOut > 0, "problem counts must be positive");
        require(trainPool >= denseProblems, "the training pool must hold the dense arm's problems");
        require(!levels.isEmpty() && levels.stream().allMatch(l -> l >= 1 && l <= 3), "levels are 1 to 3");
        require(sft.epochs() > 0 && sft.batchSize() > 0 && sft.microBatchSize() > 0
                && sft.microBatchSize() <= sft.batchSize() && sft.lr() > 0 && sft.warmupSteps() >= 0
                && sft.maxSeqLen() > 1, "SFT settings out of range");
        require(grpo.steps() > 0 && grpo.promptsPerStep() > 0 && grpo.rolloutsPerPrompt() >= 2 && grpo.budget() > 0
                && grpo.ablationBudget() > 0 && grpo.budget() != grpo.ablationBudget() && grpo.maxTokens() > 0
                && grpo.temperature() > 0 && grpo.lr() > 0 && grpo.overlongBuffer() >= 0
                && grpo.overlongBuffer() < grpo.maxTokens(), "GRPO settings out of range");
        require(eval.k() > 0 && eval.temperature() >= 0 && eval.maxTokens() > 0 && eval.every() > 0
                && eval.concurrency() > 0, "evaluation settings out of range");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
