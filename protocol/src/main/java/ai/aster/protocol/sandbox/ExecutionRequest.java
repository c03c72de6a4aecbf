package ai.aster.protocol.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code POST /v1/executions}: run {@code code} once in a fresh container.
 *
 * @param language  only "python" (the default when absent)
 * @param sessionId calls sharing it see the earlier calls' variables, functions and imports
 * @param timeoutS  wall-clock limit in seconds (service default when null)
 * @param memoryMb  memory limit in MiB (service default when null)
 * @param stdin     text fed to the program's standard input
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExecutionRequest(
        String code, String language, String sessionId, Double timeoutS, Integer memoryMb, String stdin) {

    public static ExecutionRequest python(String code) {
        return new ExecutionRequest(code, "python", null, null, null, null);
    }

    public static ExecutionRequest python(String code, String sessionId, Double timeoutS) {
        return new ExecutionRequest(code, "python", sessionId, timeoutS, null, null);
    }
}
