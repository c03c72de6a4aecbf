package ai.aster.gateway.service;

import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** A {@link ModelPort} that adds up the wall time of one trajectory's model calls ({@code timings.model_ms}). */
final class TimedModelPort implements ModelPort {

    private final ModelPort model;
    private volatile long nanos; // one call at a time: a trajectory waits for each

    TimedModelPort(ModelPort model) {
        this.model = model;
    }

    long nanos() {
        return nanos;
    }

    @Override
    public CompletableFuture<TokenizeResponse> tokenize(TokenizeRequest request) {
        long t0 = System.nanoTime();
        return timed(t0, model.tokenize(request));
    }

    @Override
    public CompletableFuture<Void> complete(CompletionRequest request, Consumer<CompletionResponse> onChunk,
            OutputGate gate, long deadlineNanos) {
        long t0 = System.nanoTime();
        return timed(t0, model.complete(request, onChunk, gate, deadlineNanos));
    }

    /** The call itself (cancelling it must reach the client), its time added when it ends. */
    private <T> CompletableFuture<T> timed(long t0, CompletableFuture<T> call) {
        call.whenComplete((r, e) -> nanos += System.nanoTime() - t0);
        return call;
    }
}
