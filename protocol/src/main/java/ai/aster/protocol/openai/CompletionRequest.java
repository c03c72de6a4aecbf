package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code POST /v1/completions}, as vLLM's server takes it.
 *
 * @param prompt          a string, or an array of token ids (a JSON node because OpenAI allows both)
 * @param stop            stop strings (a single string is accepted too)
 * @param logprobs        number of top alternatives to return per token (0 = only the chosen token's log-prob)
 * @param returnTokenIds  extension: each choice carries {@code token_ids}, the response {@code prompt_token_ids}
 * @param stopTokenIds    extension (vLLM): token ids that end a choice
 * @param ignoreEos       extension (vLLM): keep decoding past the end-of-sequence token
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompletionRequest(
        String model,
        JsonNode prompt,
        Integer maxTokens,
        Double temperature,
        Double topP,
        Integer topK,
        Long seed,
        Integer n,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
        List<Integer> stopTokenIds,
        Integer logprobs,
        Boolean stream,
        StreamOptions streamOptions,
        Boolean returnTokenIds,
        Boolean ignoreEos,
        Boolean includeStopStrInOutput) {}
