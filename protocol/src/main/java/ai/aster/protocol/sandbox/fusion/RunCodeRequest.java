package ai.aster.protocol.sandbox.fusion;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * SandboxFusion's {@code POST /run_code} body (what verl's sandbox tool sends), and {@code /run_stateful_code}'s with
 * {@code session_id}.
 *
 * @param compileTimeout seconds; there is nothing to compile for Python, so it is not used
 * @param runTimeout     wall-clock limit in seconds (the service's default when null)
 * @param memoryLimitMb  memory limit in MiB; null or not above 0 (SandboxFusion's "no limit", -1) means the
 *                       service's default
 * @param files          files to place beside the code (name to base64 content); not supported, must be empty
 * @param fetchFiles     files to return after the run; not supported, must be empty
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunCodeRequest(
        String code,
        String language,
        Double compileTimeout,
        Double runTimeout,
        @JsonProperty("memory_limit_MB") Integer memoryLimitMb,
        String stdin,
        Map<String, String> files,
        List<String> fetchFiles,
        String sessionId) {}
