package ai.aster.modeling;

import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolDefinition;
import java.nio.file.Path;
import java.util.List;

/** Renders chat messages to prompt text: the model's Jinja {@code chat_template} when present, else Qwen3 ChatML. */
public final class ChatTemplate {

    private ChatTemplate() {
    }

    public static ChatTemplate forModel(Path modelDir) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The built-in Qwen3 renderer (no Jinja). */
    public static ChatTemplate builtIn() {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * @param tools               declared tools (pass {@link #codeInterpreterTool()} for the built-in one); may be
     *                            null or empty
     * @param addGenerationPrompt end with {@code <|im_start|>assistant\n}
     */
    public String render(List<ChatMessage> messages, List<ToolDefinition> tools, boolean addGenerationPrompt) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The built-in tool: {@code code_interpreter(code: string)}. */
    public static ToolDefinition codeInterpreterTool() {
        throw new UnsupportedOperationException("not yet");
    }
}
