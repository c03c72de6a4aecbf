package ai.aster.protocol.trajectory;

import ai.aster.protocol.openai.ChatMessage;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * One finished agent-loop run, as published on Kafka topic {@code aster.trajectories} (key = {@code id}).
 * From {@code promptTokenIds} and the turns the trainer rebuilds the exact token sequence the model saw:
 * completion tokens are trained, tool-result tokens are masked.
 *
 * @param source         api, rollout or eval (the gateway), or sft (the SFT teacher, {@code ./aster teach})
 * @param messages       the request's messages (the prompt before any generated turn)
 * @param promptTokenIds the rendered prompt's token ids (ASTER addition to the schema: the sequence starts here)
 * @param finishReason   stop, length, max_tool_calls, deadline or error
 * @param reward         filled by the trainer or an evaluation, null when published by the gateway
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Trajectory(
        String id,
        Instant createdAt,
        String source,
        String model,
        Long policyVersion,
        String problemId,
        String referenceAnswer,
        List<ChatMessage> messages,
        List<Integer> promptTokenIds,
        List<Turn> turns,
        String finalAnswer,
        String finishReason,
        TrajectoryUsage usage,
        Timings timings,
        Double reward) {

    public static final String TOPIC = "aster.trajectories";
}
