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
 * @param policyVersion  extension: the version of the weights that produced every token of this response
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
        Long policyVersion) {

    public static final String OBJECT = "text_completion";
}
