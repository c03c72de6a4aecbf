package ai.aster.sandbox.rest;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.sandbox.fusion.RunCodeRequest;
import ai.aster.protocol.sandbox.fusion.RunCodeResponse;
import ai.aster.sandbox.service.ExecutionService;
import ai.aster.sandbox.service.InvalidRequestException;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * SandboxFusion's API, as verl's sandbox tool calls it: {@code POST /run_code} and the ASTER reproduction's
 * {@code POST /run_stateful_code} (with {@code session_id}). Python only; same containers, limits, sessions and
 * back-pressure as {@code /v1/executions} (429 and 503 keep their meaning). The internal token may also come as
 * {@code ?token=} on these two paths (see {@link InternalTokenFilter}).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class SandboxFusionResource {

    /** /v1/executions' field names and SandboxFusion's for the same limits. */
    private static final Map<String, String> FUSION_FIELDS = Map.of("timeout_s", "run_timeout", "memory_mb",
            "memory_limit_MB");

    private final ExecutionService executions;
    private final StrictJson json;

    public SandboxFusionResource(ExecutionService executions, StrictJson json) {
        this.executions = executions;
        this.json = json;
    }

    @POST
    @Path("/run_code")
    @RunOnVirtualThread
    public RunCodeResponse runCode(String body) {
        RunCodeRequest request = json.parse(body, RunCodeRequest.class);
        if (request.sessionId() != null) {
            throw new InvalidRequestException("'session_id' belongs to /run_stateful_code", "session_id");
        }
        return run(request);
    }

    @POST
    @Path("/run_stateful_code")
    @RunOnVirtualThread
    public RunCodeResponse runStatefulCode(String body) {
        RunCodeRequest request = json.parse(body, RunCodeRequest.class);
        if (request.sessionId() == null) {
            throw new InvalidRequestException("'session_id' is required on /run_stateful_code", "session_id");
        }
        return run(request);
    }

    private RunCodeResponse run(RunCodeRequest request) {
        if (request.files() != null && !request.files().isEmpty()) {
            throw new InvalidRequestException("'files' is not supported by this sandbox; put data in the code or "
                    + "stdin", "files");
        }
        if (request.fetchFiles() != null && !request.fetchFiles().isEmpty()) {
            throw new InvalidRequestException("'fetch_files' is not supported by this sandbox", "fetch_files");
        }
        Integer memoryMb = request.memoryLimitMb() == null || request.memoryLimitMb() <= 0
                ? null : request.memoryLimitMb();
        ExecutionResult result;
        try {
            result = executions.execute(new ExecutionRequest(request.code(), request.language(),
                    request.sessionId(), request.runTimeout(), memoryMb, request.stdin()));
        } catch (InvalidRequestException e) {
            throw inFusionTerms(e);
        }
        double seconds = result.durationMs() / 1000.0;
        return switch (result.status()) {
            case OK -> response("Success", "", new RunCodeResponse.RunResult("Finished", seconds,
                    result.exitCode(), result.stdout(), result.stderr()), result);
            case ERROR, OOM -> response("Failed", "", new RunCodeResponse.RunResult("Finished", seconds,
                    result.exitCode(), result.stdout(), result.stderr()), result);
            case TIMEOUT -> response("Failed", "", new RunCodeResponse.RunResult("TimeLimitExceeded", seconds,
                    null, result.stdout(), result.stderr()), result);
            case REJECTED -> response("SandboxError", result.stderr().strip(), new RunCodeResponse.RunResult(
                    "Error", seconds, null, result.stdout(), result.stderr()), result);
        };
    }

    /** A limit out of range is named as the caller sent it ({@code run_timeout}), not as /v1/executions calls it. */
    private static InvalidRequestException inFusionTerms(InvalidRequestException e) {
        String message = e.getMessage();
        String param = e.param();
        for (Map.Entry<String, String> field : FUSION_FIELDS.entrySet()) {
            message = message.replace("'" + field.getKey() + "'", "'" + field.getValue() + "'");
            if (field.getKey().equals(param)) {
                param = field.getValue();
            }
        }
        return new InvalidRequestException(message, param);
    }

    private static RunCodeResponse response(String status, String message, RunCodeResponse.RunResult run,
            ExecutionResult result) {
        return new RunCodeResponse(status, message, null, run, null, Map.of(), result.sessionId(),
                result.sessionReset());
    }
}
