package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One choice of a completion (or one delta of a streamed one).
 *
 * @param finishReason "stop" (end of sequence, stop string or stop token), "length", or null while streaming
 * @param stopReason   vLLM's extension: the stop string or token id that ended it, if any
 * @param tokenIds     extension: the generated token ids (with {@code return_token_ids})
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompletionChoice(
        int index,
        String text,
        CompletionLogprobs logprobs,
        @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason,
        Object stopReason,
        List<Integer> tokenIds) {}
