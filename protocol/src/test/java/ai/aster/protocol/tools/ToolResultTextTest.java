package ai.aster.protocol.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.sandbox.ExecutionStatus;
import org.junit.jupiter.api.Test;

class ToolResultTextTest {

    private static ExecutionResult result(ExecutionStatus status, Integer exit, String out, String err, boolean cut) {
        return new ExecutionResult(status, exit, out, err, cut, false, 12, "s");
    }

    @Test
    void successIsStdoutThenStderr() {
        assertEquals("4\nwarning\n", ToolResultText.render(result(ExecutionStatus.OK, 0, "4\n", "warning\n", false), 10));
        assertEquals("", ToolResultText.render(result(ExecutionStatus.OK, 0, "", null, false), 10));
    }

    @Test
    void aRuntimeErrorShowsTheDetailsAndTheOutputBeforeIt() {
        String text = ToolResultText.render(result(ExecutionStatus.ERROR, 1, "partial\n",
                "Traceback (most recent call last):\nZeroDivisionError: division by zero\n", false), 10);
        assertEquals("Runtime error occurred during execution.\nTraceback (most recent call last):\n"
                + "ZeroDivisionError: division by zero\npartial", text);
    }

    @Test
    void aTimeoutNamesTheLimit() {
        assertEquals("Execution timeout after 10 seconds.",
                ToolResultText.render(result(ExecutionStatus.TIMEOUT, null, "", "", false), 10));
        assertEquals("Execution timeout after 2.5 seconds.",
                ToolResultText.render(result(ExecutionStatus.TIMEOUT, null, "", "", false), 2.5));
    }

    @Test
    void truncatedOutputIsMarked() {
        assertEquals("aaaa\n[output truncated]\n",
                ToolResultText.render(result(ExecutionStatus.OK, 0, "aaaa", "", true), 10));
    }

    @Test
    void formatErrorsAreReadable() {
        assertEquals("Tool call error: unknown tool 'x'", ToolResultText.formatError("unknown tool 'x'"));
    }
}
