package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A function call in an assistant message, as OpenAI returns it; {@code arguments} is a JSON string.
 * In streamed deltas {@code index} says which call a fragment belongs to.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ToolCall(Integer index, String id, String type, Function function) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Function(String name, String arguments) {}

    public static ToolCall function(String id, String name, String arguments) {
        return new ToolCall(null, id, "function", new Function(name, arguments));
    }
}
