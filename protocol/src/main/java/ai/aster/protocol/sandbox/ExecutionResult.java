package ai.aster.protocol.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Answer of {@code /v1/executions}. {@code exitCode} is null when the program never finished (timeout, rejected).
 * Each stream is capped; the {@code *Truncated} flags say whether output was cut. {@code sessionReset} is true
 * (and absent otherwise) when a session call did not see the whole state of the session's earlier calls, or its own
 * state could not be kept for the next call; stderr then says which.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExecutionResult(
        ExecutionStatus status,
        Integer exitCode,
        String stdout,
        String stderr,
        boolean stdoutTruncated,
        boolean stderrTruncated,
        long durationMs,
        String sessionId,
        Boolean sessionReset) {

    /** A result with no session reset. */
    public ExecutionResult(ExecutionStatus status, Integer exitCode, String stdout, String stderr,
            boolean stdoutTruncated, boolean stderrTruncated, long durationMs, String sessionId) {
        this(status, exitCode, stdout, stderr, stdoutTruncated, stderrTruncated, durationMs, sessionId, null);
    }
}
