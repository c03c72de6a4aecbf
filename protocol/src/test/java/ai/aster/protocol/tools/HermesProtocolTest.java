package ai.aster.protocol.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HermesProtocolTest {

    private final ToolProtocol hermes = ToolProtocol.named("hermes");

    @Test
    void stopsAtTheClosingTagAndRendersThroughTheTemplate() {
        assertEquals(List.of("</tool_call>"), hermes.stopStrings());
        assertTrue(hermes.resultViaChatTemplate());
    }

    @Test
    void parsesAWellFormedCallAndWhereItStarts() {
        String text = "Let me compute.\n<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": "
                + "{\"code\": \"print(1+1)\"}}\n</tool_call>";
        var call = assertInstanceOf(ToolCallParse.Call.class, hermes.parse(text));
        assertEquals("code_interpreter", call.name());
        assertEquals("print(1+1)", call.code());
        assertEquals("Let me compute.\n", text.substring(0, call.start()));
    }

    @Test
    void acceptsRawNewlinesInsideTheCodeString() {
        String text = "<tool_call>{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"x = 2\nprint(x)\"}}"
                + "</tool_call>";
        var call = assertInstanceOf(ToolCallParse.Call.class, hermes.parse(text));
        assertEquals("x = 2\nprint(x)", call.code());
    }

    @Test
    void acceptsArgumentsGivenAsAJsonString() {
        String text = "<tool_call>{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}"
                + "</tool_call>";
        var call = assertInstanceOf(ToolCallParse.Call.class, hermes.parse(text));
        assertEquals("Paris", call.arguments().get("city").asText());
        assertEquals(null, call.code());
    }

    @Test
    void noCallIsNone() {
        assertInstanceOf(ToolCallParse.None.class, hermes.parse("The answer is \\boxed{4}."));
        assertInstanceOf(ToolCallParse.None.class, hermes.parse(""));
        assertInstanceOf(ToolCallParse.None.class, hermes.parse(null));
    }

    @Test
    void malformedCallsSayWhy() {
        var badJson = assertInstanceOf(ToolCallParse.Malformed.class,
                hermes.parse("<tool_call>{\"name\": \"code_interpreter\", \"arguments\": {\"code\": }</tool_call>"));
        assertTrue(badJson.reason().contains("not valid JSON"), badJson.reason());

        var noName = assertInstanceOf(ToolCallParse.Malformed.class,
                hermes.parse("<tool_call>{\"arguments\": {\"code\": \"1\"}}</tool_call>"));
        assertTrue(noName.reason().contains("name"));

        var unclosed = assertInstanceOf(ToolCallParse.Malformed.class,
                hermes.parse("<tool_call>{\"name\": \"code_interpreter\""));
        assertTrue(unclosed.reason().contains("not closed"));

        var closeOnly = assertInstanceOf(ToolCallParse.Malformed.class, hermes.parse("oops</tool_call>"));
        assertEquals(4, closeOnly.start());

        var array = assertInstanceOf(ToolCallParse.Malformed.class, hermes.parse("<tool_call>[1]</tool_call>"));
        assertTrue(array.reason().contains("JSON object"));
    }

    @Test
    void unknownProtocolNamesAreRejected() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ToolProtocol.named("xml"));
    }
}
