package ai.aster.gateway.service;

import ai.aster.protocol.chat.ChatFormat;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import ai.aster.protocol.tools.ToolProtocol;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exact token ids appended to the model's context for a tool result. For protocols whose results go through
 * the chat template (hermes), the template's rendering of "the assistant turn ends, a {@code tool} message, the
 * next assistant header" is learned once per model by rendering a sample conversation with a sentinel result and
 * cutting the text after the assistant's content; each result is then that text with the sentinel replaced, tokenized
 * as a plain prompt. It starts with a special token (the end of the assistant turn), so tokenizing it alone gives
 * the same ids as a full re-render; the tests check this against a full render.
 */
public final class ToolResultRenderer {

    static final String SENTINEL = "\u2063ASTER_TOOL_RESULT\u2063";
    private static final String SAMPLE_CALL = ChatFormat.TOOL_CALL_OPEN
            + "\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"print(1)\"}}\n" + ChatFormat.TOOL_CALL_CLOSE;

    /** The template text around a tool result, for one model. */
    public record Wrapper(String before, String after) {
        String wrap(String result) {
            return before + result + after;
        }
    }

    private final ModelPort model;
    private final Map<String, Wrapper> wrappers = new ConcurrentHashMap<>();

    public ToolResultRenderer(ModelPort model) {
        this.model = model;
    }

    /** The text the model's context continues with after its tool call, for this result. */
    public String continuation(String modelName, ToolProtocol protocol, String resultText) {
        if (!protocol.resultViaChatTemplate()) {
            return protocol.wrapResult(resultText);
        }
        return wrappers.computeIfAbsent(modelName == null ? "" : modelName, this::learn).wrap(resultText);
    }

    /** Token ids of {@link #continuation}. */
    public List<Integer> tokens(String continuation, String modelName) {
        return tokens(model, continuation, modelName);
    }

    /** Token ids of {@link #continuation}, asked of {@code via} (a decorated port: timed, traced). */
    public List<Integer> tokens(ModelPort via, String continuation, String modelName) {
        TokenizeResponse response = via.tokenize(
                new TokenizeRequest(modelName, continuation, null, null, null, null, false));
        return response.tokens();
    }

    private Wrapper learn(String modelName) {
        List<ChatMessage> sample = List.of(
                ChatMessage.user("Compute 1."),
                ChatMessage.assistant(SAMPLE_CALL),
                ChatMessage.tool("call_0", SENTINEL));
        TokenizeResponse rendered = model.tokenize(
                new TokenizeRequest(modelName.isEmpty() ? null : modelName, null, sample, null, true, null, null));
        String text = rendered.prompt();
        if (text == null) {
            throw new IllegalStateException("the model service's /v1/tokenize did not return the rendered prompt");
        }
        int callEnd = text.indexOf(SAMPLE_CALL);
        int sentinel = text.indexOf(SENTINEL);
        if (callEnd < 0 || sentinel < callEnd) {
            throw new IllegalStateException("the chat template does not render a tool result after the assistant's call");
        }
        callEnd += SAMPLE_CALL.length();
        return new Wrapper(text.substring(callEnd, sentinel), text.substring(sentinel + SENTINEL.length()));
    }
}
