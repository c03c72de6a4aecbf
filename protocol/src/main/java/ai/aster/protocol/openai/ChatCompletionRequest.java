package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code POST /v1/chat/completions}. The last five fields are ASTER extensions that OpenAI SDKs send through
 * {@code extra_body}; the model service ignores them, the gateway's agent loop reads them.
 *
 * @param toolChoice        "none", "auto", "required", or {@code {"type":"function","function":{"name":...}}}
 * @param maxToolCalls      extension: budget of server-side code executions (default 50)
 * @param toolTimeoutS      extension: wall-clock limit of each code execution, seconds
 * @param referenceAnswer   extension: the known answer, logged with the trajectory for rewards
 * @param problemId         extension: the benchmark or dataset id of the problem
 * @param logTrajectory     extension: publish this trajectory for training (default true)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Integer maxTokens,
        Integer maxCompletionTokens,
        Double temperature,
        Double topP,
        Integer topK,
        Long seed,
        Integer n,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
        Boolean stream,
        StreamOptions streamOptions,
        List<ToolDefinition> tools,
        JsonNode toolChoice,
        Boolean logprobs,
        Integer topLogprobs,
        Integer maxToolCalls,
        Double toolTimeoutS,
        String referenceAnswer,
        String problemId,
        Boolean logTrajectory) {}
