package ai.aster.gateway.service;

import ai.aster.protocol.openai.CompletionChoice;
import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** A {@link ModelPort} whose every completion is a {@code text_completion} span (propagated to the model service). */
final class TracedModelPort implements ModelPort {

    private final ModelPort model;
    private final Tracer tracer;

    TracedModelPort(ModelPort model, Tracer tracer) {
        this.model = model;
        this.tracer = tracer;
    }

    @Override
    public CompletableFuture<TokenizeResponse> tokenize(TokenizeRequest request) {
        return model.tokenize(request);
    }

    @Override
    public CompletableFuture<Void> complete(CompletionRequest request, Consumer<CompletionResponse> onChunk,
            OutputGate gate, long deadlineNanos) {
        Span span = tracer.spanBuilder("text_completion")
                .setAttribute("gen_ai.operation.name", "text_completion")
                .setAttribute("gen_ai.request.max_tokens", request.maxTokens() == null ? 0 : request.maxTokens())
                .startSpan();
        int[] tokens = {0}; // chunks never arrive concurrently (ModelPort's contract)
        CompletableFuture<Void> call;
        try (Scope ignored = span.makeCurrent()) { // current while the request is made: it carries the span
            call = model.complete(request, chunk -> {
                if (chunk.choices() != null) {
                    for (CompletionChoice choice : chunk.choices()) {
                        if (choice.tokenIds() != null) {
                            tokens[0] += choice.tokenIds().size();
                        }
                    }
                }
                onChunk.accept(chunk);
            }, gate, deadlineNanos);
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            span.end();
            throw e;
        }
        call.whenComplete((v, e) -> {
            if (e != null) {
                span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            }
            span.setAttribute("gen_ai.usage.output_tokens", tokens[0]);
            span.end();
        });
        return call;
    }
}
