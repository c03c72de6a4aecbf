package ai.aster.protocol.tools;

import ai.aster.protocol.chat.ChatFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Qwen3 / Hermes tool calls: {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>}, decoding stops at
 * {@code </tool_call>}. Results go back as a {@code tool} message through the chat template.
 */
public final class HermesProtocol implements ToolProtocol {

    public static final String NAME = "hermes";
    public static final String OPEN = ChatFormat.TOOL_CALL_OPEN;
    public static final String CLOSE = ChatFormat.TOOL_CALL_CLOSE;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> stopStrings() {
        return List.of(CLOSE);
    }

    @Override
    public boolean resultViaChatTemplate() {
        return true;
    }

    @Override
    public String wrapResult(String resultText) {
        return resultText;
    }

    @Override
    public ToolCallParse parseFrom(String text, int from) {
        int open = text.indexOf(OPEN, from);
        if (open < 0) {
            int close = text.indexOf(CLOSE, from);
            return close < 0 ? ToolCallParse.NONE
                    : new ToolCallParse.Malformed(null, CLOSE + " without a preceding " + OPEN, close);
        }
        int bodyStart = open + OPEN.length();
        int close = text.indexOf(CLOSE, bodyStart);
        if (close < 0) {
            return new ToolCallParse.Malformed(null, "the tool call is not closed with " + CLOSE, open);
        }
        String body = text.substring(bodyStart, close).strip();
        JsonNode call;
        try {
            call = LenientJson.read(body);
        } catch (JsonProcessingException e) {
            return new ToolCallParse.Malformed(null, "the tool call is not valid JSON: " + e.getOriginalMessage(), open);
        }
        if (call == null || !call.isObject()) {
            return new ToolCallParse.Malformed(null, "the tool call must be a JSON object with name and arguments", open);
        }
        JsonNode name = call.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            return new ToolCallParse.Malformed(null, "the tool call has no \"name\"", open);
        }
        JsonNode arguments = call.has("arguments") ? call.get("arguments") : call.get("parameters");
        if (arguments != null && arguments.isTextual()) {
            // Some models emit the arguments as a JSON string holding an object.
            try {
                arguments = LenientJson.read(arguments.asText());
            } catch (JsonProcessingException e) {
                return new ToolCallParse.Malformed(name.asText(), "the tool call's arguments are not valid JSON", open);
            }
        }
        if (arguments == null || arguments.isNull()) {
            arguments = LenientJson.object();
        }
        if (!arguments.isObject()) {
            return new ToolCallParse.Malformed(name.asText(), "the tool call's arguments must be a JSON object", open);
        }
        JsonNode code = arguments.get("code");
        return new ToolCallParse.Call(name.asText(), arguments, code != null && code.isTextual() ? code.asText() : null,
                open);
    }
}
