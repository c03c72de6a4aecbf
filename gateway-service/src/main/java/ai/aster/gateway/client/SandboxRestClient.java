package ai.aster.gateway.client;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.Response;

/**
 * sandbox-service (URL: {@code aster.gateway.sandbox-url}), over {@link InternalHttp} ({@link InternalSandboxHttp})
 * with the internal token on every call. A non-2xx answer fails with a {@code WebApplicationException} carrying its
 * status, {@code Retry-After} and body.
 */
interface SandboxRestClient {

    Uni<ExecutionResult> execute(ExecutionRequest request);

    Uni<Response> deleteSession(String sessionId);

    Uni<Response> ready();
}
