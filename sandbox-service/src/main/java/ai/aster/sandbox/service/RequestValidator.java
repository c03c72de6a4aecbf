package ai.aster.sandbox.service;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.sandbox.config.SandboxConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a request before anything touches a container; every refusal names the offending field. */
@ApplicationScoped
public class RequestValidator {

    private static final Set<String> LANGUAGES = Set.of("python", "python3");
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    private final SandboxConfig.Limits limits;
    /** No container may be larger than the global memory budget, or it could never start. */
    private final long maxMemoryMb;

    public RequestValidator(SandboxConfig config) {
        this.limits = config.limits();
        this.maxMemoryMb = Math.min(limits.maxMemoryMb(), config.maxTotalMemoryMb());
    }

    /** A request that passed the checks, with the service's defaults filled in. */
    public record ValidCall(String code, String stdin, String sessionId, Duration timeout, int memoryMb) {}

    /**
     * @param param prefix of the field names in errors ("" for a single call, "executions[3]." in a batch)
     * @throws InvalidRequestException on the first problem found
     */
    public ValidCall validate(ExecutionRequest request, String param) {
        if (request == null) {
            throw new InvalidRequestException("the request body must be a JSON object with a 'code' field",
                    param.isEmpty() ? null : param.substring(0, param.length() - 1));
        }
        String code = request.code();
        if (code == null || code.isBlank()) {
            throw new InvalidRequestException("'code' must be a non-empty string", param + "code");
        }
        if (utf8Length(code) > limits.maxCodeBytes()) {
            throw new InvalidRequestException("'code' is larger than " + limits.maxCodeBytes() + " bytes",
                    param + "code");
        }
        if (request.stdin() != null && utf8Length(request.stdin()) > limits.maxCodeBytes()) {
            throw new InvalidRequestException("'stdin' is larger than " + limits.maxCodeBytes() + " bytes",
                    param + "stdin");
        }
        if (request.language() != null && !LANGUAGES.contains(request.language().toLowerCase(Locale.ROOT))) {
            throw new InvalidRequestException("unsupported language '" + request.language()
                    + "'; only 'python' is supported", param + "language");
        }
        if (request.sessionId() != null && !SESSION_ID.matcher(request.sessionId()).matches()) {
            throw new InvalidRequestException("'session_id' must be 1 to 128 characters of letters, digits and "
                    + "._:@-", param + "session_id");
        }
        double timeoutS = request.timeoutS() == null ? limits.defaultTimeoutS() : request.timeoutS();
        if (!(timeoutS > 0) || timeoutS > limits.maxTimeoutS()) {
            throw new InvalidRequestException("'timeout_s' must be above 0 and at most " + limits.maxTimeoutS(),
                    param + "timeout_s");
        }
        int memoryMb = request.memoryMb() == null ? limits.defaultMemoryMb() : request.memoryMb();
        if (memoryMb < limits.minMemoryMb() || memoryMb > maxMemoryMb) {
            throw new InvalidRequestException("'memory_mb' must be between " + limits.minMemoryMb() + " and "
                    + maxMemoryMb, param + "memory_mb");
        }
        return new ValidCall(code, request.stdin(), request.sessionId(),
                Duration.ofNanos((long) (timeoutS * 1e9)), memoryMb);
    }

    private static long utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
