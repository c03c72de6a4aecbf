package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One SSE event of a streamed chat completion ({@code object = "chat.completion.chunk"}). The role comes in the
 * first delta; the usage chunk (with {@code stream_options.include_usage}) has empty {@code choices}.
 * {@code policyVersion} (extension) is the weights version of this chunk's tokens; {@code policyVersions} lists
 * every version of the response, in order, on the last chunk when there were several (weights swapped under it).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionChunk(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        Usage usage,
        Long policyVersion,
        List<Long> policyVersions) {

    public static final String OBJECT = "chat.completion.chunk";

    /** A response whose tokens all came from one weights version. */
    public ChatCompletionChunk(String id, String object, long created, String model, List<Choice> choices,
            Usage usage, Long policyVersion) {
        this(id, object, created, model, choices, usage, policyVersion, null);
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Choice(int index, ChatMessage delta, @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}
}
