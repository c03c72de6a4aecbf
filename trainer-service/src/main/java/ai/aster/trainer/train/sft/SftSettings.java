package ai.aster.trainer.train.sft;

import ai.aster.trainer.service.InvalidRequestException;
import ai.aster.trainer.service.TrajectoryQuery;
import ai.aster.trainer.train.JobConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * An SFT job's config ({@code type: sft}), checked field by field; every key but {@code model} and {@code data}
 * has a default (trainer-service/README.md lists them).
 *
 * @param steps     optimizer steps; null when {@code epochs} decides
 * @param epochs    passes over the data when {@code steps} is not given (default 1)
 * @param maxSeqLen sequences longer than this (in tokens) are skipped and counted, not truncated: a cut
 *                  trajectory would teach the model to stop mid-answer
 */
public record SftSettings(Path model, StoreSelection store, Path jsonl, Integer steps, int epochs, int batchSize,
        int microBatchSize, double lr, int warmupSteps, double minLr, double weightDecay, double maxGradNorm,
        int maxSeqLen, int checkpointEvery, long seed) {

    static final Set<String> KEYS = Set.of("model", "data", "steps", "epochs", "batch_size", "micro_batch_size", "lr",
            "warmup_steps", "min_lr", "weight_decay", "max_grad_norm", "max_seq_len", "checkpoint_every",
            "sync_weights", "seed");

    /**
     * Trajectories from the store: the filters of {@code GET /v1/trajectories}, newest first, at most
     * {@code limit} of them.
     */
    public record StoreSelection(String source, Boolean correct, String finishReason, Integer minToolCalls,
            Integer maxToolCalls, String problemId, int limit) {}

    public static SftSettings parse(JsonNode node) {
        JobConfig c = JobConfig.of(node).onlyKeys(KEYS);
        Path model = c.existingPath("model", true);
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw new InvalidRequestException("config.model: " + model.toAbsolutePath() + " has no config.json (a "
                    + "model folder as ./aster model init writes it)", "config.model");
        }
        JobConfig data = c.object("data").onlyKeys(Set.of("store", "jsonl"));
        StoreSelection store = null;
        Path jsonl = null;
        if (data.has("store") == data.has("jsonl")) {
            throw new InvalidRequestException("config.data needs exactly one of store: {filters} or jsonl: PATH",
                    "config.data");
        }
        if (data.has("store")) {
            JobConfig s = data.object("store").onlyKeys(Set.of("source", "correct", "finish_reason", "min_tool_calls",
                    "max_tool_calls", "problem_id", "limit"));
            Integer min = s.optionalInt("min_tool_calls", 0);
            Integer max = s.optionalInt("max_tool_calls", 0);
            if (min != null && max != null && min > max) {
                throw new InvalidRequestException("config.data.store.min_tool_calls " + min
                        + " is above max_tool_calls " + max, "config.data.store.min_tool_calls");
            }
            store = new StoreSelection(s.oneOf("source", TrajectoryQuery.SOURCES), s.optionalBoolean("correct"),
                    s.oneOf("finish_reason", TrajectoryQuery.FINISH_REASONS), min, max, s.string("problem_id", null),
                    s.integer("limit", 1000, 1));
        } else {
            jsonl = data.existingPath("jsonl", false);
        }
        Integer steps = c.optionalInt("steps", 1);
        Integer epochs = c.optionalInt("epochs", 1);
        if (steps != null && epochs != null) {
            throw new InvalidRequestException("give config.steps or config.epochs, not both", "config.epochs");
        }
        int batch = c.integer("batch_size", 8, 1);
        int micro = c.integer("micro_batch_size", Math.min(batch, 4), 1);
        if (micro > batch) {
            throw new InvalidRequestException("config.micro_batch_size " + micro + " is above batch_size " + batch,
                    "config.micro_batch_size");
        }
        double lr = c.number("lr", 1e-5, Double.MIN_VALUE, 1);
        double minLr = c.number("min_lr", 0, 0, lr);
        return new SftSettings(model, store, jsonl, steps, epochs == null ? 1 : epochs, batch, micro, lr,
                c.integer("warmup_steps", 0, 0), minLr, c.number("weight_decay", 0.01, 0, 1),
                c.number("max_grad_norm", 1.0, Double.MIN_VALUE, 1e6), c.integer("max_seq_len", 8192, 2),
                c.integer("checkpoint_every", 100, 1), c.integer("seed", 42, 0));
    }
}
