package ai.aster.protocol.trajectory;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One model call of a trajectory and, if it ended in a tool call, that call and its result.
 * {@code completionLogprobs[i]} is the sampling log-prob of {@code completionTokenIds[i]}, or {@code null} when it is
 * unknown (the model service did not report it, or the token was appended by the gateway rather than sampled);
 * never a made-up 0.0, which a trainer could not tell from certainty. {@code logprobsComplete} is false when any is
 * unknown: a trainer skips or recomputes such turns.
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
        ToolResultRecord toolResult,
        boolean logprobsComplete) {

    /** A turn whose {@code logprobsComplete} says whether every token has a log-prob. */
    public Turn(String completionText, List<Integer> completionTokenIds, List<Double> completionLogprobs,
            String finishReason, ToolCallRecord toolCall, ToolResultRecord toolResult) {
        this(completionText, completionTokenIds, completionLogprobs, finishReason, toolCall, toolResult,
                complete(completionTokenIds, completionLogprobs));
    }

    private static boolean complete(List<Integer> ids, List<Double> logprobs) {
        if (logprobs == null) {
            return ids == null || ids.isEmpty();
        }
        if (ids != null && logprobs.size() < ids.size()) {
            return false;
        }
        for (Double lp : logprobs) {
            if (lp == null) {
                return false;
            }
        }
        return true;
    }

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
