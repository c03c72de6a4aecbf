package ai.aster.gateway.service;

import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import java.util.function.Consumer;

/** A {@link ModelPort} that adds up the wall time of one trajectory's model calls ({@code timings.model_ms}). */
final class TimedModelPort implements ModelPort {

    private final ModelPort model;
    private long nanos; // one trajectory's thread only

    TimedModelPort(ModelPort model) {
        this.model = model;
    }

    long nanos() {
        return nanos;
    }

    @Override
    public TokenizeResponse tokenize(TokenizeRequest request) {
        long t0 = System.nanoTime();
        try {
            return model.tokenize(request);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void complete(CompletionRequest request, Consumer<CompletionResponse> onChunk, OutputGate gate,
            long deadlineNanos) throws InterruptedException {
        long t0 = System.nanoTime();
        try {
            model.complete(request, onChunk, gate, deadlineNanos);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }
}
