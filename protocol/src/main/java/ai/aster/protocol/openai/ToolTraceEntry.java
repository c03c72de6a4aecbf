package ai.aster.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * ASTER extension: one server-side execution of the built-in {@code code_interpreter}.
 *
 * @param status  the sandbox status (ok, error, timeout, oom, rejected), or "format_error" for a malformed call
 * @param output  the result text exactly as the model was shown it
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ToolTraceEntry(int index, String name, String code, String status, String output, long durationMs) {}
