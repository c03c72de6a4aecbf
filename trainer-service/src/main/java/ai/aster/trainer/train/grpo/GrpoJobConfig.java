package ai.aster.trainer.train.grpo;

import ai.aster.trainer.service.InvalidRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A {@code type: grpo} job's {@code config}, validated; the keys, defaults and their meaning are the table in
 * docs/training.md ("GRPO"). Every bad value throws {@link InvalidRequestException} naming the key.
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

    public static GrpoJobConfig parse(JsonNode config) {
        if (config == null || !config.isObject()) {
            throw new InvalidRequestException("'config' must be an object (the GRPO job's settings)", "config");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!KEYS.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("unknown GRPO config key '" + unknown.get(0) + "' (known: "
                    + String.join(", ", KEYS.stream().sorted().toList()) + ")", unknown.get(0));
        }
        Path model = Path.of(requiredText(config, "model"));
        if (!Files.isDirectory(model)) {
            throw new InvalidRequestException("model: no such model folder: " + model
                    + " (a folder made by ./aster model init, or an SFT job's checkpoint)", "model");
        }
        PromptFile prompts = prompts(config.get("prompts"));
        int steps = integer(config, "steps", -1, 1);
        int perStep = integer(config, "prompts_per_step", 8, 1);
        int n = integer(config, "rollouts_per_prompt", 16, 2);
        int maxToolCalls = integer(config, "max_tool_calls", 50, 0);
        double temperature = number(config, "temperature", 1.0);
        if (!(temperature > 0 && temperature <= 2)) {
            throw new InvalidRequestException("temperature must be greater than 0 and at most 2 (rollouts sample)",
                    "temperature");
        }
        double topP = number(config, "top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) {
            throw new InvalidRequestException("top_p must be greater than 0 and at most 1", "top_p");
        }
        Integer maxTokens = config.hasNonNull("max_tokens") ? integer(config, "max_tokens", 0, 1) : null;
        String systemPrompt = optionalText(config, "system_prompt");
        URI gateway = null;
        String gatewayText = optionalText(config, "gateway");
        if (gatewayText != null) {
            try {
                gateway = URI.create(gatewayText);
            } catch (IllegalArgumentException e) {
                gateway = null;
            }
            if (gateway == null || gateway.getScheme() == null || !gateway.getScheme().startsWith("http")) {
                throw new InvalidRequestException("gateway must be an http(s) URL such as http://127.0.0.1:8080/v1",
                        "gateway");
            }
        }
        int concurrency = config.hasNonNull("concurrency") ? integer(config, "concurrency", 0, 1) : 0;
        OverlongShaping overlong = overlong(config.get("overlong"), maxTokens);
        double lr = number(config, "lr", 1e-6);
        if (!(lr > 0)) {
            throw new InvalidRequestException("lr must be greater than 0", "lr");
        }
        double minLr = number(config, "min_lr", lr);
        if (!(minLr >= 0 && minLr <= lr)) {
            throw new InvalidRequestException("min_lr must be between 0 and lr", "min_lr");
        }
        int warmup = integer(config, "warmup_steps", 0, 0);
        if (warmup > steps) {
            throw new InvalidRequestException("warmup_steps must be at most steps (" + steps + ")", "warmup_steps");
        }
        int micro = integer(config, "micro_batch_size", 4, 1);
        double maxGradNorm = positive(config, "max_grad_norm", 1.0);
        double weightDecay = number(config, "weight_decay", 0.01);
        if (!(weightDecay >= 0)) {
            throw new InvalidRequestException("weight_decay must be 0 or more", "weight_decay");
        }
        double clipLow = number(config, "clip_low", 0.2);
        if (!(clipLow > 0 && clipLow < 1)) {
            throw new InvalidRequestException("clip_low must be between 0 and 1 (exclusive)", "clip_low");
        }
        double clipHigh = positive(config, "clip_high", 0.28);
        double dualClip = number(config, "dual_clip", 3.0);
        if (!(dualClip > 1)) {
            throw new InvalidRequestException("dual_clip must be greater than 1", "dual_clip");
        }
        double tisCap = positive(config, "tis_cap", 2.0);
        int checkpointEvery = integer(config, "checkpoint_every", 1, 1);
        boolean sync = bool(config, "sync_weights", true);
        long seed = config.has("seed") ? longValue(config, "seed") : 0L;
        Duration storeTimeout = duration(config, "store_timeout", Duration.ofMinutes(2));
        return new GrpoJobConfig(model, prompts, steps, perStep, n, maxToolCalls, temperature, topP, maxTokens,
                systemPrompt, gateway, concurrency, overlong, lr, minLr, warmup, micro, maxGradNorm, weightDecay,
                clipLow, clipHigh, dualClip, tisCap, checkpointEvery, sync, seed, storeTimeout);
    }

    private static PromptFile prompts(JsonNode node) {
        if (node == null || !node.isObject() || node.size() != 1
                || !(node.hasNonNull("jsonl") || node.hasNonNull("parquet"))) {
            throw new InvalidRequestException("prompts must be {\"jsonl\": PATH} ({id, problem, answer} a line) or "
                    + "{\"parquet\": PATH} (verl RL rows: prompt, reward_model.ground_truth)", "prompts");
        }
        Format format = node.hasNonNull("jsonl") ? Format.JSONL : Format.PARQUET;
        JsonNode path = node.get(format.name().toLowerCase(Locale.ROOT));
        if (!path.isTextual() || path.asText().isBlank()) {
            throw new InvalidRequestException("prompts." + format.name().toLowerCase(Locale.ROOT)
                    + " must be a file path", "prompts");
        }
        return new PromptFile(format, Path.of(path.asText()));
    }

    private static OverlongShaping overlong(JsonNode node, Integer maxTokens) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidRequestException("overlong must be {\"buffer\": TOKENS, \"penalty\": FACTOR}",
                    "overlong");
        }
        if (maxTokens == null) {
            throw new InvalidRequestException("overlong shaping needs max_tokens (the budget it ramps up to)",
                    "overlong");
        }
        JsonNode buffer = node.get("buffer");
        JsonNode penalty = node.get("penalty");
        if (buffer == null || !buffer.canConvertToInt() || !buffer.isIntegralNumber()) {
            throw new InvalidRequestException("overlong.buffer must be a whole number of tokens", "overlong");
        }
        double factor = penalty == null || penalty.isNull() ? 1.0 : penalty.isNumber() ? penalty.asDouble() : -1;
        try {
            return new OverlongShaping(maxTokens, buffer.asInt(), factor);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("overlong: need 1 <= buffer <= max_tokens (" + maxTokens
                    + ") and penalty >= 0", "overlong");
        }
    }

    private static String requiredText(JsonNode config, String key) {
        String value = optionalText(config, key);
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException(key + " is required", key);
        }
        return value;
    }

    private static String optionalText(JsonNode config, String key) {
        JsonNode node = config.get(key);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidRequestException(key + " must be a string", key);
        }
        return node.asText();
    }

    /** A whole number of at least {@code min}; {@code fallback} < min means required. */
    private static int integer(JsonNode config, String key, int fallback, int min) {
        JsonNode node = config.get(key);
        if (node == null || node.isNull()) {
            if (fallback < min) {
                throw new InvalidRequestException(key + " is required (a whole number of at least " + min + ")",
                        key);
            }
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min) {
            throw new InvalidRequestException(key + " must be a whole number of at least " + min, key);
        }
        return node.asInt();
    }

    private static long longValue(JsonNode config, String key) {
        JsonNode node = config.get(key);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new InvalidRequestException(key + " must be a whole number", key);
        }
        return node.asLong();
    }

    private static double number(JsonNode config, String key, double fallback) {
        JsonNode node = config.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
            throw new InvalidRequestException(key + " must be a number", key);
        }
        return node.asDouble();
    }

    private static double positive(JsonNode config, String key, double fallback) {
        double v = number(config, key, fallback);
        if (!(v > 0)) {
            throw new InvalidRequestException(key + " must be greater than 0", key);
        }
        return v;
    }

    private static boolean bool(JsonNode config, String key, boolean fallback) {
        JsonNode node = config.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw new InvalidRequestException(key + " must be true or false", key);
        }
        return node.asBoolean();
    }

    /** Seconds as a number, or a duration such as "90s", "5m" or "PT2M". */
    private static Duration duration(JsonNode config, String key, Duration fallback) {
        JsonNode node = config.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
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
            throw new InvalidRequestException(key + " must be a positive duration: seconds, or e.g. \"90s\", \"5m\"",
                    key);
        }
        return d;
    }
}
