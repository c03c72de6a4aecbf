package ai.aster.sandbox.rest;

import ai.aster.protocol.auth.InternalToken;
import ai.aster.protocol.openai.ApiError;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every request but health and metrics must carry the internal token ({@code Authorization: Bearer <token>}; on
 * SandboxFusion's two paths also {@code ?token=}, as verl sends it). 401 without a token, 403 with a wrong one, in
 * the OpenAI error shape. A Vert.x filter rather than a JAX-RS one, so that it also covers paths no resource
 * serves. Without a configured token the service does not start.
 */
@ApplicationScoped
@Startup
public class InternalTokenFilter {

    /** Runs before every route, Quarkus's own included. */
    private static final int PRIORITY = 1000;
    private static final Set<String> QUERY_TOKEN_PATHS = Set.of("/run_code", "/run_stateful_code");

    private final InternalToken token;
    private final ObjectMapper json;

    /**
     * @param configured {@code aster.internal-token} (environment: {@code ASTER_INTERNAL_TOKEN}), the secret shared
     *                   by the internal services; a plain property rather than part of {@code SandboxConfig} because
     *                   every service reads the same key
     */
    public InternalTokenFilter(@ConfigProperty(name = "aster.internal-token") Optional<String> configured,
            ObjectMapper json) {
        if (configured.isEmpty() || configured.get().isBlank()) {
            throw new MissingInternalTokenException();
        }
        this.token = new InternalToken(configured.get());
        this.json = json;
    }

    void register(@Observes Filters filters) {
        filters.register(this::check, PRIORITY);
    }

    private void check(RoutingContext context) {
        String path = context.normalizedPath();
        if (isOpen(path)) {
            context.next();
            return;
        }
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        String presented = InternalToken.fromAuthorization(header).orElse(null);
        if (presented == null && QUERY_TOKEN_PATHS.contains(path)) {
            presented = context.request().getParam("token");
        }
        if (presented == null || presented.isEmpty()) {
            refuse(context, 401, ApiError.of("authentication_error", "this service requires the internal token: "
                    + "send 'Authorization: Bearer <ASTER_INTERNAL_TOKEN>'", null, "missing_token"));
        } else if (!token.matches(presented)) {
            refuse(context, 403, ApiError.of("permission_error", "the internal token is wrong", null,
                    "invalid_token"));
        } else {
            context.next();
        }
    }

    /** Health and metrics stay open (probes and Prometheus carry no token). */
    private static boolean isOpen(String path) {
        return path.equals("/q/health") || path.startsWith("/q/health/") || path.equals("/q/metrics");
    }

    private void refuse(RoutingContext context, int status, ApiError error) {
        String body;
        try {
            body = json.writeValueAsString(error);
        } catch (JsonProcessingException e) {
            body = "{\"error\":{\"message\":\"unauthorized\"}}";
        }
        var response = context.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (status == 401) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        response.end(body);
    }

    /**
     * Thrown at start without a token. A ConfigurationException, which Quarkus reports as its message alone: the
     * one line an operator needs, not buried in a stack trace.
     */
    static final class MissingInternalTokenException extends ConfigurationException {
        MissingInternalTokenException() {
            super("sandbox-service refuses to start without an internal token: set " + InternalToken.ENV
                    + " (./aster up generates one into .aster/internal-token)", Set.of("aster.internal-token"));
        }
    }
}
