package ai.aster.trainer.train.grpo;

import ai.aster.trainer.service.InvalidRequestException;
import ai.aster.trainer.train.JobConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;

/**
 * A {@code type: grpo} job's {@code config}, validated; the keys, defaults and their meaning are the table in
 * docs/training.md ("GRPO"). Every bad value, and an unknown key, throws {@link InvalidRequestException} naming the
 * field by its path ({@code config.steps}, {@code config.overlong.buffer}), as the job framework's {@link JobConfig}.
 *
 * @param gateway     the OpenAI-compatible endpoint rollouts go to; null = aster.trainer.eval.endpoint
 * @param concurrency requests in flight at once (each asks for {@code rolloutsPerPrompt} choices); 0 = the
 *                    trainer's aster.trainer.eval.default-concurrency
 * @param overlong    DAPO's overlong shaping, or null (off)
 * @param maxTokens   the completion-token budget of a rollout, or null for the gateway's default
 */
public record GrpoJobConfig(Path model, PromptFile prompts, int steps, int promptsPerStep, int rolloutsPerPrompt,
        int maxToolCalls, double temperature, double topP, Integer maxTokens, String systemPrompt, URI gateway,
        int concurrency, OverlongShaping overlong, double lr, double minLr, int warmupSteps, int microBatchSize,
        double maxGradNorm, double weightDecay, double clipLow, double clipHigh, double dualClip, double tisCap,
        int checkpointEvery, boolean syncWeights, long seed, Duration storeTimeout) {

    /** Where the prompts come from. */
    public record PromptFile(Format format, Path path) {}

    public enum Format { JSONL, PARQUET }

    static final Set<String> KEYS = Set.of("model", "prompts", "steps", "prompts_per_step", "rollouts_per_prompt",
            "max_tool_calls", "temperature", "top_p", "max_tokens", "system_prompt", "gateway", "concurrency",
            "overlong", "lr", "min_lr", "warmup_steps", "micro_batch_size", "max_grad_norm", "weight_decay",
            "clip_low", "clip_high", "dual_clip", "tis_cap", "checkpoint_every", "sync_weights", "seed",
            "store_timeout");

    public static GrpoJobConfig parse(JsonNode node) {
        JobConfig c = JobConfig.of(node).onlyKeys(KEYS);
        Path model = c.existingPath("model", true);
        PromptFile prompts = prompts(c);
        int steps = c.integer("steps", -1, 1);
        if (steps < 1) {
            throw new InvalidRequestException(c.name("steps") + " is required (an integer >= 1)", c.name("steps"));
        }
        int perStep = c.integer("prompts_per_step", 8, 1);
        int n = c.integer("rollouts_per_prompt", 16, 2);
        int maxToolCalls = c.integer("max_tool_calls", 50, 0);
        double temperature = c.number("temperature", 1.0, Double.MIN_VALUE, 2);
        double topP = c.number("top_p", 1.0, Double.MIN_VALUE, 1);
        Integer maxTokens = c.optionalInt("max_tokens", 1);
        String systemPrompt = c.string("system_prompt", null);
        URI gateway = null;
        if (c.has("gateway")) {
            try {
                gateway = URI.create(c.string("gateway"));
            } catch (IllegalArgumentException e) {
                gateway = null;
            }
            if (gateway == null || gateway.getScheme() == null || !gateway.getScheme().startsWith("http")) {
                throw new InvalidRequestException(c.name("gateway") + " must be an http(s) URL such as "
                        + "http://127.0.0.1:8080/v1", c.name("gateway"));
            }
        }
        int concurrency = c.integer("concurrency", 0, 1);
        OverlongShaping overlong = c.has("overlong") ? overlong(c, maxTokens) : null;
        double lr = c.number("lr", 1e-6, Double.MIN_VALUE, 1);
        double minLr = c.number("min_lr", lr, 0, lr);
        int warmup = c.integer("warmup_steps", 0, 0);
        if (warmup > steps) {
            throw new InvalidRequestException(c.name("warmup_steps") + " must be at most steps (" + steps + ")",
                    c.name("warmup_steps"));
        }
        int micro = c.integer("micro_batch_size", 4, 1);
        double maxGradNorm = c.number("max_grad_norm", 1.0, Double.MIN_VALUE, 1e6);
        double weightDecay = c.number("weight_decay", 0.01, 0, 1);
        double clipLow = c.number("clip_low", 0.2, Double.MIN_VALUE, Math.nextDown(1.0));
        double clipHigh = c.number("clip_high", 0.28, Double.MIN_VALUE, 1e6);
        double dualClip = c.number("dual_clip", 3.0, Math.nextUp(1.0), 1e6);
        double tisCap = c.number("tis_cap", 2.0, Double.MIN_VALUE, 1e6);
        int checkpointEvery = c.integer("checkpoint_every", 1, 1);
        boolean sync = c.bool("sync_weights", true);
        int seed = c.integer("seed", 0, 0);
        Duration storeTimeout = c.has("store_timeout") ? duration(c, "store_timeout") : Duration.ofMinutes(2);
        return new GrpoJobConfig(model, prompts, steps, perStep, n, maxToolCalls, temperature, topP, maxTokens,
                systemPrompt, gateway, concurrency, overlong, lr, minLr, warmup, micro, maxGradNorm, weightDecay,
                clipLow, clipHigh, dualClip, tisCap, checkpointEvery, sync, seed, storeTimeout);
    }

    private static PromptFile prompts(JobConfig c) {
        JobConfig p = c.object("prompts").onlyKeys(Set.of("jsonl", "parquet"));
        if (p.has("jsonl") == p.has("parquet")) {
            throw new InvalidRequestException(c.name("prompts") + " must be {\"jsonl\": PATH} ({id, problem, answer} "
                    + "a line) or {\"parquet\": PATH} (verl RL rows: prompt, reward_model.ground_truth)",
                    c.name("prompts"));
        }
        Format format = p.has("jsonl") ? Format.JSONL : Format.PARQUET;
        return new PromptFile(format, p.existingPath(format.name().toLowerCase(Locale.ROOT), false));
    }

    private static OverlongShaping overlong(JobConfig c, Integer maxTokens) {
        JobConfig o = c.object("overlong").onlyKeys(Set.of("buffer", "penalty"));
        if (maxTokens == null) {
            throw new InvalidRequestException(c.name("overlong") + " needs max_tokens (the budget its penalty ramps "
                    + "up to)", c.name("overlong"));
        }
        int buffer = o.integer("buffer", -1, 1);
        if (buffer < 1 || buffer > maxTokens) {
            throw new InvalidRequestException(o.name("buffer") + " is required: tokens before max_tokens ("
                    + maxTokens + ") where the penalty starts, between 1 and max_tokens", o.name("buffer"));
        }
        return new OverlongShaping(maxTokens, buffer, o.number("penalty", 1.0, 0, 1e6));
    }

    /** Seconds as a number, or a duration such as "90s", "5m" or "PT2M". */
    private static Duration duration(JobConfig c, String key) {
        JsonNode node = c.node(key);
        Duration d = null;
        if (node.isNumber()) {
            d = Duration.ofMillis(Math.round(node.asDouble() * 1000));
        } else if (node.isTextual()) {
            String s = node.asText().strip().toLowerCase(Locale.ROOT);
            try {
                d = s.startsWith("p") ? Duration.parse(s.toUpperCase(Locale.ROOT))
                        : s.endsWith("ms") ? Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)))
                        : s.endsWith("s") ? Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)))
                        : s.endsWith("m") ? Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)))
                        : Duration.ofSeconds(Long.parseLong(s));
            } catch (NumberFormatException | DateTimeParseException e) {
                d = null;
            }
        }
        if (d == null || d.isNegative() || d.isZero()) {
            throw new InvalidRequestException(c.name(key) + " must be a positive duration: seconds, or e.g. "
                    + "\"90s\", \"5m\"", c.name(key));
        }
        return d;
    }
}
