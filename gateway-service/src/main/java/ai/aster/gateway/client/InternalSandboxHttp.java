package ai.aster.gateway.client;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** sandbox-service's calls over {@link InternalHttp} (URL: {@code aster.gateway.sandbox-url}). */
@ApplicationScoped
class InternalSandboxHttp implements SandboxRestClient {

    private final InternalHttp http;
    private final String base;

    InternalSandboxHttp(InternalHttp http, GatewayConfig config) {
        this.http = http;
        this.base = config.sandboxUrl().replaceAll("/+$", "");
    }

    @Override
    public Uni<ExecutionResult> execute(ExecutionRequest request) {
        return http.call(HttpMethod.POST, base + "/v1/executions", request, ExecutionResult.class);
    }

    @Override
    public Uni<Response> deleteSession(String sessionId) {
        return http.call(HttpMethod.DELETE, base + "/v1/sessions/"
                + URLEncoder.encode(sessionId, StandardCharsets.UTF_8).replace("+", "%20"), null, Response.class);
    }

    @Override
    public Uni<Response> ready() {
        return http.call(HttpMethod.GET, base + "/q/health/ready", null, Response.class);
    }
}
