package ai.aster.gateway.service;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.tools.CodeInterpreterTool;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/** A {@link SandboxPort} whose every execution is an {@code execute_tool} span. */
final class TracedSandboxPort implements SandboxPort {

    private final SandboxPort sandbox;
    private final Tracer tracer;

    TracedSandboxPort(SandboxPort sandbox, Tracer tracer) {
        this.sandbox = sandbox;
        this.tracer = tracer;
    }

    @Override
    public ExecutionResult execute(ExecutionRequest request, long deadlineNanos) throws InterruptedException {
        Span span = tracer.spanBuilder("execute_tool")
                .setAttribute("gen_ai.operation.name", "execute_tool")
                .setAttribute("gen_ai.tool.name", CodeInterpreterTool.NAME)
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            ExecutionResult result = sandbox.execute(request, deadlineNanos);
            span.setAttribute("aster.sandbox.status", result.status().wireName());
            return result;
        } catch (RuntimeException | InterruptedException e) {
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            span.end();
        }
    }

    @Override
    public void deleteSession(String sessionId) {
        sandbox.deleteSession(sessionId);
    }
}
