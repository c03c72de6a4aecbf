package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Response of {@code /v1/completions}; streamed chunks use the same shape with {@code object = "text_completion"}.
 *
 * @param promptTokenIds extension: the prompt's token ids (with {@code return_token_ids})
 * @param policyVersion  extension: the version of the weights that produced the last token of this response (of
 *                       this chunk's tokens, when streamed)
 * @param policyVersions extension: every version that produced tokens of the response, in order, when there were
 *                       several (weights swapped under it); absent otherwise. Streamed: on the last chunk
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompletionResponse(
        String id,
        String object,
        long created,
        String model,
        List<CompletionChoice> choices,
        Usage usage,
        List<Integer> promptTokenIds,
        Long policyVersion,
        List<Long> policyVersions) {

    public static final String OBJECT = "text_completion";

    /** A response whose tokens all came from one weights version. */
    public CompletionResponse(String id, String object, long created, String model, List<CompletionChoice> choices,
            Usage usage, List<Integer> promptTokenIds, Long policyVersion) {
        this(id, object, created, model, choices, usage, promptTokenIds, policyVersion, null);
    }
}
