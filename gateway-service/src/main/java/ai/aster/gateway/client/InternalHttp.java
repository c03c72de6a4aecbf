package ai.aster.gateway.client;

import ai.aster.gateway.config.GatewayConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;

/**
 * The small JSON calls to the internal services (tokenize, executions, sessions) over Vert.x's HTTP client, with the
 * internal token and the current trace context. Why not the REST client: a profile of the gateway under the
 * benchmark put about a third of its CPU in the REST client's per-call machinery (handler chain, filters,
 * serialiser lookup, client metrics, context propagation) and the fault-tolerance interceptors around it, for
 * calls whose whole work is one small JSON body each way. Non-2xx answers fail as the REST client's did (a
 * {@link WebApplicationException} carrying the status, {@code Retry-After} and the body), so the callers' policies
 * and {@link DependencyFailures} read them unchanged; cancelling the returned {@link Uni} (a timeout) resets the
 * request. Issued on the caller's event loop (a trajectory's: its home), through that loop's client.
 */
@ApplicationScoped
public class InternalHttp {

    private final Vertx vertx;
    private final LoopHttpClients clients;
    private final ObjectMapper json;
    private final OpenTelemetry openTelemetry;
    private final InternalAuth auth;

    public InternalHttp(Vertx vertx, LoopHttpClients clients, ObjectMapper json,
            OpenTelemetry openTelemetry, InternalAuth auth) {
        this.vertx = vertx;
        this.clients = clients;
        this.json = json;
        this.openTelemetry = openTelemetry;
        this.auth = auth;
    }

    /** A call whose 2xx body is read as {@code type} ({@code Response} for the status only). */
    <T> Uni<T> call(HttpMethod method, String uri, Object body, Class<T> type) {
        byte[] bytes;
        try {
            bytes = body == null ? null : json.writeValueAsBytes(body);
        } catch (IOException e) {
            return Uni.createFrom().failure(new IllegalStateException("cannot serialise " + body.getClass(), e));
        }
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(uri)
                .putHeader("Authorization", auth.header()).putHeader("Accept", "application/json");
        if (bytes != null) {
            options.putHeader("Content-Type", "application/json");
        }
        openTelemetry.getPropagators().getTextMapPropagator()
                .inject(Context.current(), options, (carrier, key, value) -> carrier.putHeader(key, value));
        return Uni.createFrom().emitter(emitter -> {
            HttpClientRequest[] sent = new HttpClientRequest[1];
            boolean[] done = new boolean[1];
            emitter.onTermination(() -> {
                synchronized (sent) {
                    if (!done[0] && sent[0] != null) {
                        sent[0].reset(); // cancelled (a timeout): stop the call
                    }
                }
            });
            // issued from an event loop task: the response's body handler is then set before any of the body is read
            // (from another thread, a fast answer's body could arrive before it, and be lost)
            vertx.getOrCreateContext().runOnContext(ignored -> clients.current().request(options).compose(request -> {
                synchronized (sent) {
                    sent[0] = request;
                }
                return bytes == null ? request.send() : request.send(Buffer.buffer(bytes));
            }).compose(response -> response.body().map(b -> {
                if (response.statusCode() / 100 != 2) {
                    Response.ResponseBuilder error = Response.status(response.statusCode()).entity(b.toString());
                    String retryAfter = response.getHeader("Retry-After");
                    if (retryAfter != null) {
                        error.header("Retry-After", retryAfter);
                    }
                    throw new WebApplicationException(error.build());
                }
                if (type == Response.class) {
                    return type.cast(Response.status(response.statusCode()).build());
                }
                try {
                    return json.readValue(b.getBytes(), type);
                } catch (IOException e) {
                    throw new IllegalStateException("unreadable answer from " + uri + ": " + e.getMessage(), e);
                }
            })).onComplete(result -> {
                synchronized (sent) {
                    done[0] = true;
                }
                if (result.succeeded()) {
                    emitter.complete(result.result());
                } else {
                    emitter.fail(result.cause());
                }
            }));
        });
    }
}
