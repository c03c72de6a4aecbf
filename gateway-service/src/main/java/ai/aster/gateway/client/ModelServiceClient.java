package ai.aster.gateway.client;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.gateway.service.DeadlineExceededException;
import ai.aster.gateway.service.DependencyUnavailableException;
import ai.aster.gateway.service.ModelPort;
import ai.aster.gateway.service.OutputGate;
import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.aster.gateway.service.UpstreamRejectedException;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.microprofile.faulttolerance.Retry;

/**
 * The model service as the agent loop sees it. Small calls are retried when the service cannot be reached at all
 * (a restart) and bounded by {@code model-call-timeout}; the token stream fails when silent for
 * {@code model-idle-timeout} and is cancelled at the trajectory's deadline.
 */
@ApplicationScoped
public class ModelServiceClient implements ModelPort {

    static final String NAME = "model-service";

    private final ModelServiceRestClient rest;
    private final GatewayConfig config;
    private final ObjectMapper json;
    private final OpenTelemetry openTelemetry;
    private final UpstreamContext upstream;
    private final LoopHttpClients clients;
    private final String completionsUri;
    private final InternalAuth auth;

    public ModelServiceClient(ModelServiceRestClient rest, GatewayConfig config, ObjectMapper json,
            UpstreamContext upstream, LoopHttpClients clients, OpenTelemetry openTelemetry, InternalAuth auth) {
        this.rest = rest;
        this.auth = auth;
        this.config = config;
        this.json = json;
        this.openTelemetry = openTelemetry;
        this.upstream = upstream;
        this.clients = clients;
        this.completionsUri = config.modelServiceUrl().replaceAll("/+$", "") + "/v1/completions";
    }

    /**
     * Retried twice, 100 ms apart, when the service cannot be reached at all (a restart). A plain loop, not
     * SmallRye Fault Tolerance's {@code @Retry}: its interceptors were 11% of the gateway's CPU on this per-turn call
     * (JFR, docs/benchmarks.md gateway section).
     */
    @Override
    public TokenizeResponse tokenize(TokenizeRequest request) {
        for (int attempt = 0; ; attempt++) {
            RuntimeException failure;
            try {
                return rest.tokenize(request).await().atMost(config.modelCallTimeout());
            } catch (RuntimeException e) {
                failure = DependencyFailures.translate(NAME, e, json);
            }
            if (!(failure instanceof DependencyFailures.ConnectFailure) || attempt >= 2) {
                throw failure;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw DependencyFailures.translate(NAME, e, json);
            }
        }
    }

    @Retry(maxRetries = 2, delay = 100, retryOn = DependencyFailures.ConnectFailure.class)
    public ModelList models() {
        try {
            return rest.models().await().atMost(config.modelCallTimeout());
        } catch (RuntimeException e) {
            throw DependencyFailures.translate(NAME, e, json);
        }
    }

    /**
     * The token stream is read with Vert.x's HTTP client directly rather than the REST client: it is the hot path
     * of every turn, and the raw client gives a per-read idle timeout, pause/resume for back-pressure and a hard
     * reset on cancel. See {@link TokenStream} for the delivery guarantees.
     */
    @Override
    public void complete(CompletionRequest request, Consumer<CompletionResponse> onChunk, OutputGate gate,
            long deadlineNanos) throws InterruptedException {
        byte[] body;
        try {
            body = json.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a completion request", e);
        }
        TokenStream stream = new TokenStream(onChunk, gate, NAME, ModelServiceClient::failure);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(completionsUri)
                .setIdleTimeout(config.modelIdleTimeout().toMillis())
                .putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream")
                .putHeader("Authorization", auth.header());
        // the text_completion span is current here: propagate it to the model service
        openTelemetry.getPropagators().getTextMapPropagator()
                .inject(Context.current(), options, (carrier, key, value) -> carrier.putHeader(key, value));
        // issued from an event loop: the response's handlers are then set before any of its body is read; the
        // trajectory's loop (UpstreamContext), whose own client reads the stream there, next to the client's SSE
        io.vertx.core.Context context = upstream.get();
        context.runOnContext(ignored -> clients.current().request(options).compose(req -> {
            stream.sent(req);
            return req.send(Buffer.buffer(body));
        }).onSuccess(response -> {
            if (response.statusCode() != 200) {
                response.body().onComplete(b -> stream.fail(rejected(response.statusCode(),
                        b.succeeded() ? b.result().toString() : "")));
                return;
            }
            stream.read(response, context);
        }).onFailure(e -> stream.fail(failure(e))));
        try {
            stream.done.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new DeadlineExceededException("the trajectory deadline passed while the model was decoding");
        } catch (ExecutionException e) {
            throw DependencyFailures.translate(NAME, e.getCause(), json);
        } finally {
            stream.close(); // after this, no chunk reaches the loop: it owns the turn's state again
        }
    }

    private RuntimeException rejected(int status, String body) {
        String message = body;
        try {
            JsonNode m = json.readTree(body).path("error").path("message");
            if (m.isTextual()) {
                message = m.asText();
            }
        } catch (Exception e) {
            // not JSON: keep the raw text
        }
        if (message.length() > 300) {
            message = message.substring(0, 300);
        }
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            return new UpstreamRejectedException(status, NAME + ": " + message);
        }
        return new DependencyUnavailableException(NAME, "answered " + status + ": " + message, null);
    }

    private static RuntimeException failure(Throwable e) {
        if (e instanceof RuntimeException r && (r instanceof DependencyUnavailableException
                || r instanceof UpstreamRejectedException)) {
            return r;
        }
        if (e instanceof java.util.concurrent.TimeoutException || e instanceof io.netty.handler.timeout.TimeoutException
                || String.valueOf(e.getMessage()).contains("idle timeout")) {
            return new DependencyUnavailableException(NAME, "silent for more than the idle timeout", e);
        }
        return new DependencyFailures.ConnectFailure(NAME, e);
    }
}
