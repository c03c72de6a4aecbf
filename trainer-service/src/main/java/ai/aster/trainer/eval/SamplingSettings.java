package ai.aster.trainer.eval;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How each sample is drawn: the part of a run's settings that must not change when a run is resumed (samples drawn
 * with other settings would be mixed into one score).
 *
 * @param benchmark    the benchmark's name or file
 * @param model        the model id sent in each request
 * @param temperature  sampling temperature (paper: 0.6)
 * @param topP         nucleus sampling (paper: 0.95)
 * @param maxToolCalls code executions allowed per sample (paper: 50)
 * @param maxTokens    completion-token budget per sample; null = the server's default
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SamplingSettings(String benchmark, String model, double temperature, double topP, int maxToolCalls,
        Integer maxTokens) {

    public static final double DEFAULT_TEMPERATURE = 0.6;
    public static final double DEFAULT_TOP_P = 0.95;
    public static final int DEFAULT_MAX_TOOL_CALLS = 50;

    public SamplingSettings {
        if (!(temperature >= 0 && temperature <= 2)) {
            throw new EvalException("temperature (--temperature) must be between 0 and 2");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new EvalException("top_p (--top-p) must be greater than 0 and at most 1");
        }
        if (maxToolCalls < 0) {
            throw new EvalException("max_tool_calls (--max-tool-calls) must be 0 or more");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new EvalException("max_tokens (--max-tokens) must be at least 1");
        }
    }
}
