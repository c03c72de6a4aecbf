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

    // ---- thinking: the call after </think> wins; a call inside a thought is text

    @Test
    void aCallInsideThinkingIsTextAndTheCallAfterThinkingWins() {
        String thought = "<think>\nMaybe " + call("print('draft')") + " would do.\n</think>\n\n";
        String text = thought + "Computing.\n" + call("print('real')");
        var parsed = assertInstanceOf(ToolCallParse.Call.class, hermes.parse(text));
        assertEquals("print('real')", parsed.code());
        assertEquals(thought + "Computing.\n", text.substring(0, parsed.start()));
    }

    @Test
    void aCallOnlyInsideThinkingIsNoCall() {
        assertInstanceOf(ToolCallParse.None.class, hermes.parse("<think>\n" + call("print(1)")));
        assertInstanceOf(ToolCallParse.None.class, hermes.parse("<think>\n" + call("print(1)") + "\n</think>\n4"));
        // the prompt opened the thought: everything before </think> is thinking
        assertInstanceOf(ToolCallParse.None.class, hermes.parse(call("print(1)"), true));
        assertInstanceOf(ToolCallParse.None.class, hermes.parse("hm " + call("print(1)") + "</think>\nDone.", true));
        var after = assertInstanceOf(ToolCallParse.Call.class,
                hermes.parse("hm " + call("print(1)") + "</think>\n" + call("print(2)"), true));
        assertEquals("print(2)", after.code());
    }

    // ---- backslashes survive: valid JSON escapes decode, invalid ones keep their backslash

    @Test
    void regexBackslashesSurviveWhetherEscapedOrNot() {
        // escaped as JSON requires
        assertEquals("import re\nprint(re.findall(r'\\d+\\.\\d*', s))",
                code(call("import re\\nprint(re.findall(r'\\\\d+\\\\.\\\\d*', s))")));
        // written raw by the model: \d and \. are invalid JSON escapes, kept as they are
        assertEquals("print(re.findall(r'\\d+\\.\\d*', s))", code(call("print(re.findall(r'\\d+\\.\\d*', s))")));
        assertEquals("re.compile(r'\\s*\\w+\\Z')", code(call("re.compile(r'\\s*\\w+\\Z')")));
    }

    @Test
    void latexBackslashesSurvive() {
        assertEquals("print(r'\\frac{1}{2} + \\alpha')", code(call("print(r'\\\\frac{1}{2} + \\\\alpha')")));
        // raw \sqrt and \pi (invalid escapes) next to a real newline escape
        assertEquals("s = r'\\sqrt{2}\\pi'\nprint(s)", code(call("s = r'\\sqrt{2}\\pi'\\nprint(s)")));
    }

    @Test
    void windowsPathsSurvive() {
        assertEquals("open(r'C:\\Users\\data\\x.csv')", code(call("open(r'C:\\\\Users\\\\data\\\\x.csv')")));
        assertEquals("open(r'C:\\Users\\data')", code(call("open(r'C:\\Users\\data')")));
        // a backslash-u not followed by four hex digits is no unicode escape either
        assertEquals("p = r'C:\\users\\x'", code(call("p = r'C:\\users\\x'")));
        assertEquals("p = 'caf\u00e9'", code(call("p = 'caf\\u00e9'")));
    }

    @Test
    void argumentsGivenAsAStringKeepTheirBackslashesToo() {
        String text = "<tool_call>{\"name\": \"code_interpreter\", \"arguments\": "
                + "\"{\\\"code\\\": \\\"print(r'\\d')\\\"}\"}</tool_call>";
        assertEquals("print(r'\\d')", code(text));
    }

    @Test
    void repairDoesNotTouchValidJson() {
        String json = "{\"a\": \"x\\n\\\\d\\u0041\"}";
        assertEquals(json, LenientJson.keepInvalidEscapes(json));
        assertEquals("{\"a\": \"\\\\d\"}", LenientJson.keepInvalidEscapes("{\"a\": \"\\d\"}"));
    }

    private String code(String text) {
        return assertInstanceOf(ToolCallParse.Call.class, hermes.parse(text)).code();
    }

    /** A hermes call with the code inserted into the JSON string exactly as given (as the model wrote it). */
    private static String call(String codeAsWritten) {
        return "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"" + codeAsWritten
                + "\"}}\n</tool_call>";
    }
}
