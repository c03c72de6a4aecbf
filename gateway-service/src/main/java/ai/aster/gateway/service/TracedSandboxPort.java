package ai.aster.gateway.service;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.tools.CodeInterpreterTool;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;

/** A {@link SandboxPort} whose every execution is an {@code execute_tool} span. */
final class TracedSandboxPort implements SandboxPort {

    private final SandboxPort sandbox;
    private final Tracer tracer;

    TracedSandboxPort(SandboxPort sandbox, Tracer tracer) {
        this.sandbox = sandbox;
        this.tracer = tracer;
    }

    @Override
    public CompletableFuture<ExecutionResult> execute(ExecutionRequest request, long deadlineNanos) {
        Span span = tracer.spanBuilder("execute_tool")
                .setAttribute("gen_ai.operation.name", "execute_tool")
                .setAttribute("gen_ai.tool.name", CodeInterpreterTool.NAME)
                .startSpan();
        CompletableFuture<ExecutionResult> call;
        try (Scope ignored = span.makeCurrent()) { // current while the request is made: it carries the span
            call = sandbox.execute(request, deadlineNanos);
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            span.end();
            throw e;
        }
        call.whenComplete((result, e) -> {
            if (e != null) {
                span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            } else {
                span.setAttribute("aster.sandbox.status", result.status().wireName());
            }
            span.end();
        });
        return call;
    }

    @Override
    public CompletableFuture<Void> deleteSession(String sessionId) {
        return sandbox.deleteSession(sessionId);
    }
}
