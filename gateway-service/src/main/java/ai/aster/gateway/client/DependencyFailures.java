package ai.aster.gateway.client;

import ai.aster.gateway.service.CompletionFailures;
import ai.aster.gateway.service.DependencyUnavailableException;
import ai.aster.gateway.service.UpstreamRejectedException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CancellationException;

/** Turns what a REST client throws into the agent loop's failure types. */
final class DependencyFailures {

    /** A dependency that could not even be connected to: worth an immediate retry or two. */
    static final class ConnectFailure extends DependencyUnavailableException {
        ConnectFailure(String dependency, Throwable cause) {
            super(dependency, "cannot connect (" + cause.getMessage() + ")", cause);
        }
    }

    private DependencyFailures() {}

    static RuntimeException translate(String dependency, Throwable failure, ObjectMapper json) {
        Throwable e = CompletionFailures.cause(failure);
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new CancellationException("interrupted");
        }
        if (e instanceof DependencyUnavailableException d) {
            return d;
        }
        if (e instanceof UpstreamRejectedException u) {
            return u;
        }
        if (e instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            String message = errorMessage(web.getResponse(), json);
            if (status >= 400 && status < 500 && status != 408 && status != 429) {
                return new UpstreamRejectedException(status, dependency + ": " + message);
            }
            return new DependencyUnavailableException(dependency, "answered " + status + ": " + message, e);
        }
        if (e instanceof io.smallrye.mutiny.TimeoutException) {
            return new DependencyUnavailableException(dependency, "did not answer in time", e);
        }
        if (e instanceof ProcessingException || e instanceof java.net.ConnectException
                || e instanceof io.vertx.core.VertxException) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new ConnectFailure(dependency, cause);
        }
        return new DependencyUnavailableException(dependency, String.valueOf(e.getMessage()), e);
    }

    static String errorMessage(Response response, ObjectMapper json) {
        try {
            String body = response.readEntity(String.class);
            if (body == null || body.isBlank()) {
                return "no details";
            }
            JsonNode node = json.readTree(body);
            JsonNode message = node.path("error").path("message");
            return message.isTextual() ? message.asText() : body.length() > 300 ? body.substring(0, 300) : body;
        } catch (RuntimeException | java.io.IOException ex) {
            return "no details";
        }
    }
}
