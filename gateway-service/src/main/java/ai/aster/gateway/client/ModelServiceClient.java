package ai.aster.gateway.client;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.gateway.service.DeadlineExceededException;
import ai.aster.gateway.service.DependencyUnavailableException;
import ai.aster.gateway.service.ModelPort;
import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RestClient;

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

    public ModelServiceClient(@RestClient ModelServiceRestClient rest, GatewayConfig config, ObjectMapper json) {
        this.rest = rest;
        this.config = config;
        this.json = json;
    }

    @Override
    @Retry(maxRetries = 2, delay = 100, retryOn = DependencyFailures.ConnectFailure.class)
    public TokenizeResponse tokenize(TokenizeRequest request) {
        try {
            return rest.tokenize(request).await().atMost(config.modelCallTimeout());
        } catch (RuntimeException e) {
            throw DependencyFailures.translate(NAME, e, json);
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

    @Override
    public void complete(CompletionRequest request, Consumer<CompletionResponse> onChunk, long deadlineNanos)
            throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Cancellable stream = rest.completions(request)
                .ifNoItem().after(config.modelIdleTimeout())
                .failWith(() -> new DependencyUnavailableException(NAME,
                        "no token for " + config.modelIdleTimeout().toSeconds() + " s", null))
                .subscribe().with(data -> {
                    if (done.isDone()) {
                        return;
                    }
                    String event = data.strip();
                    if (event.isEmpty() || "[DONE]".equals(event)) {
                        return;
                    }
                    try {
                        JsonNode node = json.readTree(event);
                        if (node.has("error")) {
                            done.completeExceptionally(new DependencyUnavailableException(NAME,
                                    "failed mid-stream: " + node.path("error").path("message").asText(), null));
                            return;
                        }
                        onChunk.accept(json.treeToValue(node, CompletionResponse.class));
                    } catch (Exception e) {
                        done.completeExceptionally(new DependencyUnavailableException(NAME,
                                "sent an unreadable chunk: " + e.getMessage(), e));
                    }
                }, done::completeExceptionally, () -> done.complete(null));
        try {
            done.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            stream.cancel();
            throw new DeadlineExceededException("the trajectory deadline passed while the model was decoding");
        } catch (InterruptedException e) {
            stream.cancel();
            throw e;
        } catch (ExecutionException e) {
            stream.cancel();
            throw DependencyFailures.translate(NAME, e.getCause(), json);
        }
    }
}
