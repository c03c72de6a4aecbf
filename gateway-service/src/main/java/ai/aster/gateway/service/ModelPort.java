package ai.aster.gateway.service;

import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import java.util.function.Consumer;

/** What the agent loop needs of the model service. Blocking: the loop runs on a virtual thread. */
public interface ModelPort {

    /** Renders messages through the chat template (or a plain prompt) into token ids. */
    TokenizeResponse tokenize(TokenizeRequest request);

    /**
     * Streams one completion: {@code onChunk} gets each chunk in order (on any thread, never two at once, and never
     * after this method has returned or thrown); returns when the stream ends. While {@code gate} is saturated the
     * stream is paused. Fails with {@link DeadlineExceededException} at {@code deadlineNanos}
     * ({@link System#nanoTime()} clock), {@link DependencyUnavailableException} when the model service is down or
     * silent for too long.
     */
    void complete(CompletionRequest request, Consumer<CompletionResponse> onChunk, OutputGate gate,
            long deadlineNanos) throws InterruptedException;
}
