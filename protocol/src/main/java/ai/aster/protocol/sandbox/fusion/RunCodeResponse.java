package ai.aster.protocol.sandbox.fusion;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * SandboxFusion's answer to {@code /run_code}.
 *
 * @param status          {@code Success} (ran, exit code 0), {@code Failed} (non-zero exit, time or memory limit),
 *                        {@code SandboxError} (not run)
 * @param compileResult   always null (Python is not compiled)
 * @param executorPodName always null here
 * @param files           always empty (fetch_files is not supported)
 * @param sessionId       extension: the session of a {@code /run_stateful_code} call
 * @param sessionReset    extension: true when the session's earlier state was lost (stderr says why)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunCodeResponse(
        String status,
        String message,
        RunResult compileResult,
        RunResult runResult,
        String executorPodName,
        Map<String, String> files,
        @JsonInclude(JsonInclude.Include.NON_NULL) String sessionId,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean sessionReset) {

    /**
     * How the program ran.
     *
     * @param status        {@code Finished} (it exited, with any code), {@code TimeLimitExceeded}, {@code Error}
     *                      (it was not run)
     * @param executionTime seconds
     * @param returnCode    null when it did not exit (time limit)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RunResult(String status, double executionTime, Integer returnCode, String stdout, String stderr) {}
}
