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
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    private static final java.time.Duration CONNECT_RETRY_PAUSE = java.time.Duration.ofMillis(100);
    /** Deadlines further away than this (a day) need no timer: the idle timeout ends a silent stream first. */
    private static final long MAX_TIMER_MS = TimeUnit.DAYS.toMillis(1);

    private final ModelServiceRestClient rest;
    private final GatewayConfig config;
    private final ObjectMapper json;
    private final OpenTelemetry openTelemetry;
    private final Vertx vertx;
    private final LoopHttpClients clients;
    private final String completionsUri;
    private final InternalAuth auth;

    public ModelServiceClient(ModelServiceRestClient rest, GatewayConfig config, ObjectMapper json,
            Vertx vertx, LoopHttpClients clients, OpenTelemetry openTelemetry, InternalAuth auth) {
        this.rest = rest;
        this.auth = auth;
        this.config = config;
        this.json = json;
        this.openTelemetry = openTelemetry;
        this.vertx = vertx;
        this.clients = clients;
        this.completionsUri = config.modelServiceUrl().replaceAll("/+$", "") + "/v1/completions";
    }

    /**
     * Retried twice, 100 ms apart, when the service cannot be reached at all (a restart); each try bounded by
     * {@code model-call-timeout}. Mutiny's retry rather than SmallRye Fault Tolerance's {@code @Retry}: its
     * interceptors were 11% of the gateway's CPU on this per-turn call (JFR, docs/benchmarks.md gateway section).
     */
    @Override
    public CompletableFuture<TokenizeResponse> tokenize(TokenizeRequest request) {
        return rest.tokenize(request).ifNoItem().after(config.modelCallTimeout()).fail()
                .onFailure().transform(e -> DependencyFailures.translate(NAME, e, json))
                .onFailure(DependencyFailures.ConnectFailure.class).retry()
                .withBackOff(CONNECT_RETRY_PAUSE, CONNECT_RETRY_PAUSE).atMost(2)
                .subscribeAsCompletionStage();
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
    public CompletableFuture<Void> complete(CompletionRequest request, Consumer<CompletionResponse> onChunk,
            OutputGate gate, long deadlineNanos) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("cannot serialise a completion request", e));
        }
        TokenStream stream = new TokenStream(onChunk, gate, NAME, ModelServiceClient::failure);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(completionsUri)
                .setIdleTimeout(config.modelIdleTimeout().toMillis())
                .putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream")
                .putHeader("Authorization", auth.header());
        // the text_completion span is current here: propagate it to the model service
        openTelemetry.getPropagators().getTextMapPropagator()
                .inject(Context.current(), options, (carrier, key, value) -> carrier.putHeader(key, value));
        // issued on the caller's event loop (the trajectory's: its own client reads the stream there, next to the
        // client's SSE), from a task of its own, so the response's handlers are set before any of its body is read
        io.vertx.core.Context context = vertx.getOrCreateContext();
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (remainingMs <= 0) {
            return CompletableFuture.failedFuture(
                    new DeadlineExceededException("the trajectory deadline passed before the model was asked"));
        }
        context.runOnContext(ignored -> {
            if (stream.done.isDone()) {
                return; // cancelled before it was sent
            }
            // on this loop, like every chunk: once failed, no chunk is delivered, and the stream is reset
            long timer = remainingMs > MAX_TIMER_MS ? -1 : vertx.setTimer(remainingMs, id -> stream.fail(
                    new DeadlineExceededException("the trajectory deadline passed while the model was decoding")));
            stream.done.whenComplete((v, e) -> {
                if (timer >= 0) {
                    vertx.cancelTimer(timer);
                }
            });
            clients.current().request(options).compose(req -> {
                stream.sent(req);
                return req.send(Buffer.buffer(body));
            }).onSuccess(response -> {
                if (response.statusCode() != 200) {
                    response.body().onComplete(b -> stream.fail(rejected(response.statusCode(),
                            b.succeeded() ? b.result().toString() : "")));
                    return;
                }
                stream.read(response, context);
            }).onFailure(e -> stream.fail(failure(e)));
        });
        // cancelled or ended: stop delivery, and reset the HTTP stream if it has not ended (the model stops decoding)
        stream.done.whenComplete((v, e) -> stream.close());
        return stream.done;
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
