package ai.aster.protocol.tools;

import java.util.List;

/**
 * ToRL-style tool use: the model writes a {@code ```python} block, decoding stops at its closing fence, and the
 * result is appended as an {@code ```output} block for the model to read on.
 */
public final class MarkdownProtocol implements ToolProtocol {

    public static final String NAME = "markdown";
    /** The closing fence of a code block on its own line: the stop string. */
    public static final String CLOSING_FENCE = "\n```\n";

    private static final List<String> OPENINGS = List.of("```python\n", "```py\n");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> stopStrings() {
        return List.of(CLOSING_FENCE);
    }

    @Override
    public boolean resultViaChatTemplate() {
        return false;
    }

    @Override
    public String wrapResult(String resultText) {
        String body = resultText.endsWith("\n") ? resultText : resultText + "\n";
        return "```output\n" + body + "```\n";
    }

    /**
     * A call is a python block whose closing fence ends the text (the stop string, or the end of the sequence).
     * A python block left open at the end of the text is malformed; blocks earlier in the text are prose.
     */
    @Override
    public ToolCallParse parseFrom(String text, int from) {
        int open = -1;
        int codeStart = -1;
        for (String opening : OPENINGS) {
            int at = text.lastIndexOf(opening);
            if (at >= from && at > open) {
                open = at;
                codeStart = at + opening.length();
            }
        }
        if (open < 0) {
            return ToolCallParse.NONE;
        }
        String tail = text.substring(codeStart);
        String trimmed = tail.stripTrailing();
        if (trimmed.endsWith("```")) {
            String code = trimmed.substring(0, trimmed.length() - 3);
            if (code.contains("\n```")) {
                // closed earlier; the fence at the end belongs to another block
                return ToolCallParse.NONE;
            }
            return new ToolCallParse.Call(CodeInterpreterTool.NAME, null, code, open);
        }
        if (!tail.contains("\n```")) {
            return new ToolCallParse.Malformed(CodeInterpreterTool.NAME, "the python block is not closed with ```",
                    open);
        }
        return ToolCallParse.NONE;
    }
}
