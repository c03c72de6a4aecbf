package ai.aster.protocol.trajectory;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One model call of a trajectory and, if it ended in a tool call, that call and its result.
 * {@code completionLogprobs[i]} is the sampling log-prob of {@code completionTokenIds[i]}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Turn(
        String completionText,
        List<Integer> completionTokenIds,
        List<Double> completionLogprobs,
        String finishReason,
        ToolCallRecord toolCall,
        ToolResultRecord toolResult) {

    /** The parsed call; {@code formatError} says why a malformed call could not be run (null when it ran). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ToolCallRecord(String name, String code, String formatError) {}

    /** What the model was shown, as text and as the token ids appended to its context (masked in training). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ToolResultRecord(String status, String text, List<Integer> tokenIds, long durationMs) {}
}
