package ai.aster.protocol.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownProtocolTest {

    private final ToolProtocol markdown = ToolProtocol.named("markdown");

    @Test
    void stopsAtTheClosingFenceAndAppendsAnOutputBlock() {
        assertEquals(List.of("\n```\n"), markdown.stopStrings());
        assertFalse(markdown.resultViaChatTemplate());
        assertEquals("```output\n4\n```\n", markdown.wrapResult("4"));
        assertEquals("```output\n4\n```\n", markdown.wrapResult("4\n"));
    }

    @Test
    void aPythonBlockClosedAtTheEndIsACall() {
        String text = "First square it.\n```python\nx = 2\nprint(x**2)\n```\n";
        var call = assertInstanceOf(ToolCallParse.Call.class, markdown.parse(text));
        assertEquals("code_interpreter", call.name());
        assertEquals("x = 2\nprint(x**2)\n", call.code());
        assertEquals("First square it.\n", text.substring(0, call.start()));
        // closed by the end of the sequence rather than the stop string
        var atEnd = assertInstanceOf(ToolCallParse.Call.class, markdown.parse("```py\nprint(3)\n```"));
        assertEquals("print(3)\n", atEnd.code());
    }

    @Test
    void proseAndEarlierBlocksAreNotCalls() {
        assertInstanceOf(ToolCallParse.None.class, markdown.parse("So the answer is \\boxed{4}."));
        assertInstanceOf(ToolCallParse.None.class,
                markdown.parse("```python\nprint(1)\n```\n```output\n1\n```\nThus \\boxed{1}."));
        assertInstanceOf(ToolCallParse.None.class, markdown.parse("A plain block:\n```\nnot code\n```\n"));
    }

    @Test
    void anUnclosedBlockIsMalformed() {
        var m = assertInstanceOf(ToolCallParse.Malformed.class, markdown.parse("```python\nprint(1"));
        assertEquals("code_interpreter", m.name());
    }
}
