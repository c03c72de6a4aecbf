package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Response of {@code /v1/chat/completions} ({@code object = "chat.completion"}).
 *
 * @param policyVersion  extension: the weights version that produced its last token
 * @param policyVersions extension: every version that produced its tokens, in order, when there were several
 *                       (weights swapped under it); absent otherwise
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionResponse(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        Usage usage,
        Long policyVersion,
        List<Long> policyVersions) {

    public static final String OBJECT = "chat.completion";

    /** A response whose tokens all came from one weights version. */
    public ChatCompletionResponse(String id, String object, long created, String model, List<Choice> choices,
            Usage usage, Long policyVersion) {
        this(id, object, created, model, choices, usage, policyVersion, null);
    }

    /** @param finishReason stop, length, tool_calls, max_tool_calls, deadline or error */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Choice(int index, ChatMessage message, @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}
}
