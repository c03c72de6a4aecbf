package ai.aster.trainer.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One finished, graded sample: a line of the run's {@code samples.jsonl}.
 *
 * @param problemId        which problem
 * @param index            which of its k samples (0-based); with problemId the key a resumed run skips by
 * @param trajectoryId     the response id, which the gateway also gives the stored trajectory
 * @param finishReason     stop, length, max_tool_calls, deadline, error (as the endpoint reported it)
 * @param content          the final answer text (the message content after the thinking)
 * @param extracted        the answer the grader found in it; null when none
 * @param correct          graded equal to the reference answer
 * @param toolCalls        code executions in this sample
 * @param completionTokens tokens the model generated, over all turns
 * @param durationMs       wall-clock time of the request
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SampleOutcome(String problemId, int index, String trajectoryId, String finishReason, String content,
        String extracted, boolean correct, int toolCalls, int completionTokens, long durationMs) {

    /** The key of this sample within a run. */
    public String key() {
        return key(problemId, index);
    }

    public static String key(String problemId, int index) {
        return problemId + "#" + index;
    }
}
