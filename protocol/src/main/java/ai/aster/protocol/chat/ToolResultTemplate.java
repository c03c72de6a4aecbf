package ai.aster.protocol.chat;

import ai.aster.protocol.openai.ChatMessage;
import java.util.List;

/**
 * The chat template's text around a tool result, for one model: what follows the assistant's tool call (the end of
 * its turn, the {@code tool} message's header) and what follows the result (the end of that message, the next
 * assistant header). Learned by rendering {@link #SAMPLE} with the model's template and cutting the rendering at
 * the sample call and at the sentinel result; a result is then {@code before + text + after}. It starts with a
 * special token (the end of the assistant turn), so tokenizing it alone gives the same ids as a full re-render.
 * The gateway appends tool results this way; the SFT teacher writes its trajectories the same way.
 */
public record ToolResultTemplate(String before, String after) {

    static final String SENTINEL = "\u2063ASTER_TOOL_RESULT\u2063";
    private static final String SAMPLE_CALL = ChatFormat.TOOL_CALL_OPEN
            + "\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"print(1)\"}}\n"
            + ChatFormat.TOOL_CALL_CLOSE;

    /** The conversation to render (with the generation prompt, no tools declared) for {@link #fromRendering}. */
    public static final List<ChatMessage> SAMPLE = List.of(
            ChatMessage.user("Compute 1."),
            ChatMessage.assistant(SAMPLE_CALL),
            ChatMessage.tool("call_0", SENTINEL));

    /** Cuts the template's rendering of {@link #SAMPLE} around the sentinel result. */
    public static ToolResultTemplate fromRendering(String rendered) {
        if (rendered == null) {
            throw new IllegalStateException("no rendered prompt to learn the tool-result template from");
        }
        int callEnd = rendered.indexOf(SAMPLE_CALL);
        int sentinel = rendered.indexOf(SENTINEL);
        if (callEnd < 0 || sentinel < callEnd) {
            throw new IllegalStateException("the chat template does not render a tool result after the assistant's call");
        }
        callEnd += SAMPLE_CALL.length();
        return new ToolResultTemplate(rendered.substring(callEnd, sentinel),
                rendered.substring(sentinel + SENTINEL.length()));
    }

    /** The text the model's context continues with after its tool call, for this result. */
    public String wrap(String result) {
        return before + result + after;
    }
}
