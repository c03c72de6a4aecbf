package ai.aster.protocol.tools;

import ai.aster.protocol.sandbox.ExecutionResult;

/**
 * The text a model is shown for a code execution (defaults of the ASTER reproduction): success = stdout + stderr;
 * a non-zero exit = "Runtime error occurred during execution." + the error details + the output before the error;
 * a timeout = "Execution timeout after N seconds.".
 */
public final class ToolResultText {

    public static final String RUNTIME_ERROR = "Runtime error occurred during execution.";
    public static final String TRUNCATED = "[output truncated]";

    private ToolResultText() {}

    /** @param timeoutS the limit the execution ran under, for the timeout message */
    public static String render(ExecutionResult result, double timeoutS) {
        String stdout = withMarker(nullToEmpty(result.stdout()), result.stdoutTruncated());
        String stderr = withMarker(nullToEmpty(result.stderr()), result.stderrTruncated());
        return switch (result.status()) {
            case OK -> stdout + stderr;
            case ERROR -> join(RUNTIME_ERROR, stderr.strip(), stdout.strip());
            case TIMEOUT -> "Execution timeout after " + seconds(timeoutS) + " seconds.";
            case OOM -> join("Memory limit exceeded during execution.", stdout.strip());
            case REJECTED -> "Execution rejected: the sandbox could not run the code.";
        };
    }

    /** What the model reads after a malformed call. */
    public static String formatError(String reason) {
        return "Tool call error: " + reason;
    }

    private static String seconds(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }

    private static String withMarker(String text, boolean truncated) {
        if (!truncated) {
            return text;
        }
        return (text.endsWith("\n") || text.isEmpty() ? text : text + "\n") + TRUNCATED + "\n";
    }

    private static String join(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (!part.isEmpty()) {
                out.append(out.isEmpty() ? "" : "\n").append(part);
            }
        }
        return out.toString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
