package ai.aster.trainer.replicate;

import java.nio.file.Path;

/**
 * Where a replication run keeps its files, under its run folder: the fresh model, the problems, the platform's state
 * (keys, logs, store, checkpoints), the evaluation runs, the best checkpoint, and the timings of the stages that ran
 * before the platform started.
 */
public record RunLayout(Path dir) {

    public RunLayout {
        dir = dir.toAbsolutePath().normalize();
    }

    public Path model() {
        return dir.resolve("model");
    }

    public Path trainProblems() {
        return dir.resolve("problems").resolve("train.jsonl");
    }

    public Path heldOutProblems() {
        return dir.resolve("problems").resolve("heldout.jsonl");
    }

    public Path corpus() {
        return dir.resolve("problems").resolve("tokenizer-corpus.txt");
    }

    /** The platform's state dir ({@code ASTER_STATE_DIR} of the platform the launcher starts). */
    public Path platform() {
        return dir.resolve("platform");
    }

    public Path internalToken() {
        return platform().resolve("internal-token");
    }

    public Path apiKey() {
        return platform().resolve("api-key");
    }

    public Path evals() {
        return dir.resolve("evals");
    }

    public Path best() {
        return dir.resolve("best");
    }

    /** What {@code prepare} measured: its start, its seconds, the machine's load (read by {@code run}). */
    public Path prepared() {
        return dir.resolve("prepare.json");
    }

    /** Every evaluation's numbers, as JSON (the report's data). */
    public Path results() {
        return dir.resolve("results.json");
    }
}
