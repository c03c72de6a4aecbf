package ai.aster.gateway.service;

import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the agent loop needs of the model service. Asynchronous: the loop runs on its request's event loop and
 * calls these from there; the answers may complete on any thread.
 */
public interface ModelPort {

    /** Renders messages through the chat template (or a plain prompt) into token ids. */
    CompletableFuture<TokenizeResponse> tokenize(TokenizeRequest request);

    /**
     * Streams one completion: {@code onChunk} gets each chunk in order (never two at once, and never once the
     * returned future is done); the future completes when the stream ends. Cancelling it stops the stream (the
     * model service stops decoding). While {@code gate} is saturated the stream is paused. Fails with
     * {@link DeadlineExceededException} at {@code deadlineNanos} ({@link System#nanoTime()} clock),
     * {@link DependencyUnavailableException} when the model service is down or silent for too long.
     */
    CompletableFuture<Void> complete(CompletionRequest request, Consumer<CompletionResponse> onChunk, OutputGate gate,
            long deadlineNanos);
}
