package ai.aster.protocol.tools;

import ai.aster.protocol.openai.ToolDefinition;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The built-in tool every ASTER model knows: run Python in a stateful sandbox session. */
public final class CodeInterpreterTool {

    public static final String NAME = "code_interpreter";

    /** As declared to the chat template (the system block of a Qwen3-style template lists it). */
    public static final ToolDefinition DEFINITION = definition();

    private CodeInterpreterTool() {}

    private static ToolDefinition definition() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode code = json.objectNode().put("type", "string")
                .put("description", "The Python code to run. Variables persist between calls; print what you need.");
        ObjectNode parameters = json.objectNode().put("type", "object");
        parameters.set("properties", json.objectNode().set("code", code));
        parameters.set("required", json.arrayNode().add("code"));
        return new ToolDefinition("function", new ToolDefinition.Function(NAME,
                "Execute Python code in a stateful sandbox and return its output.", parameters));
    }
}
