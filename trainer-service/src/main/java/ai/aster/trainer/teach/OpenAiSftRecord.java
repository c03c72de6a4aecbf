package ai.aster.trainer.teach;

import ai.aster.protocol.chat.ChatFormat;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolCall;
import ai.aster.protocol.openai.ToolDefinition;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.Turn;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * A teacher trajectory as one line of an OpenAI-format SFT file: the conversation as chat messages (the user's
 * problem; per call an assistant message with its thinking in {@code reasoning_content} and the call in
 * {@code tool_calls}, then the {@code tool} message with the result text the model was shown; the final assistant
 * message with its thinking and answer), the tool declared, and where it came from.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"id", "problem_id", "answer", "style", "messages", "tools"})
public record OpenAiSftRecord(String id, String problemId, String answer, String style, List<ChatMessage> messages,
        List<ToolDefinition> tools) {

    public static OpenAiSftRecord of(Trajectory trajectory, TeachingStyle style) {
        List<ChatMessage> messages = new ArrayList<>(trajectory.messages());
        List<Turn> turns = trajectory.turns();
        for (int i = 0; i < turns.size(); i++) {
            Turn turn = turns.get(i);
            String text = ChatFormat.withoutEndOfTurn(turn.completionText());
            int open = text.indexOf(ChatFormat.THINK_OPEN);
            int close = text.lastIndexOf(ChatFormat.THINK_CLOSE);
            String reasoning = close < 0 ? null
                    : text.substring(open < 0 ? 0 : open + ChatFormat.THINK_OPEN.length(), close).strip();
            String after = close < 0 ? text : text.substring(close + ChatFormat.THINK_CLOSE.length());
            if (turn.toolCall() == null) {
                messages.add(new ChatMessage("assistant", after.strip(), null, reasoning, null, null, null));
                continue;
            }
            String callId = "call_" + i;
            String arguments = JsonNodeFactory.instance.objectNode().put("code", turn.toolCall().code()).toString();
            messages.add(new ChatMessage("assistant", "", null, reasoning,
                    List.of(ToolCall.function(callId, CodeInterpreterTool.NAME, arguments)), null, null));
            messages.add(ChatMessage.tool(callId, turn.toolResult().text()));
        }
        return new OpenAiSftRecord(trajectory.id(), trajectory.problemId(), trajectory.referenceAnswer(),
                style.wireName(), List.copyOf(messages), List.of(CodeInterpreterTool.DEFINITION));
    }
}
