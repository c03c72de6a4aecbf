package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * Legacy completions log-probabilities: one entry per generated token, in order.
 * {@code topLogprobs} maps each alternative's text to its log-prob (null when none were asked for).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompletionLogprobs(
        List<String> tokens,
        List<Double> tokenLogprobs,
        List<Map<String, Double>> topLogprobs,
        List<Integer> textOffset) {}
