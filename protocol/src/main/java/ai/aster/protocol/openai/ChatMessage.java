package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One chat message. {@code content} accepts OpenAI's string or array-of-text-parts forms (flattened to text).
 *
 * @param role             system, developer, user, assistant or tool
 * @param reasoningContent the thinking of an assistant message (vLLM / DeepSeek extension)
 * @param toolCalls        the function calls of an assistant message
 * @param toolCallId       which call a tool message answers
 * @param toolTrace        ASTER extension on responses: every server-side code execution, in order
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatMessage(
        String role,
        @JsonDeserialize(using = MessageContentDeserializer.class) String content,
        String name,
        String reasoningContent,
        List<ToolCall> toolCalls,
        String toolCallId,
        List<ToolTraceEntry> toolTrace) {

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content, null, null, null, null, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content, null, null, null, null, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content, null, null, null, null, null);
    }

    public static ChatMessage tool(String toolCallId, String content) {
        return new ChatMessage("tool", content, null, null, null, toolCallId, null);
    }
}
