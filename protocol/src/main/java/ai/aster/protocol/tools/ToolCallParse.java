package ai.aster.protocol.tools;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a tool-call protocol found in one completion's text: no call, a well-formed call, or a malformed one.
 * {@code start} is the offset where the call's markup begins: text before it is the model's prose of that turn.
 */
public sealed interface ToolCallParse {

    /** The text holds no tool call: the model answered. */
    record None() implements ToolCallParse {}

    /**
     * A well-formed call. {@code code} is the {@code code} argument when there is one (null otherwise: a client tool).
     *
     * @param arguments the call's arguments as JSON (an object), for client-declared tools
     */
    record Call(String name, JsonNode arguments, String code, int start) implements ToolCallParse {}

    /** The model tried to call a tool but the call cannot be run; {@code reason} is shown to the model. */
    record Malformed(String name, String reason, int start) implements ToolCallParse {}

    ToolCallParse NONE = new None();
}
