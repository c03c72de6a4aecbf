package ai.aster.protocol.tools;

import ai.aster.protocol.openai.ToolDefinition;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The built-in tool every ASTER model knows: run Python in a stateful sandbox session. */
public final class CodeInterpreterTool {

    public static final String NAME = "code_interpreter";

    /**
     * As declared to the chat template (the system block of a Qwen3-style template lists it); the same text as
     * modeling's {@code ChatTemplate.codeInterpreterTool()}, so prompts match whoever renders them.
     */
    public static final ToolDefinition DEFINITION = definition();

    private CodeInterpreterTool() {}

    private static ToolDefinition definition() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode code = json.objectNode().put("type", "string")
                .put("description", "The Python code to run. Variables, functions and imports persist between calls;"
                + " print what you need to see.");
        ObjectNode parameters = json.objectNode().put("type", "object");
        parameters.set("properties", json.objectNode().set("code", code));
        parameters.set("required", json.arrayNode().add("code"));
        return new ToolDefinition("function", new ToolDefinition.Function(NAME,
                "Run Python code in a sandboxed interpreter and return its standard output and errors.", parameters));
    }
}
