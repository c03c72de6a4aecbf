package ai.aster.gateway.service;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import java.util.concurrent.CompletableFuture;

/** A {@link SandboxPort} that adds up the wall time of one trajectory's executions ({@code timings.tool_ms}). */
final class TimedSandboxPort implements SandboxPort {

    private final SandboxPort sandbox;
    private volatile long nanos; // one call at a time: a trajectory waits for each

    TimedSandboxPort(SandboxPort sandbox) {
        this.sandbox = sandbox;
    }

    long nanos() {
        return nanos;
    }

    @Override
    public CompletableFuture<ExecutionResult> execute(ExecutionRequest request, long deadlineNanos) {
        long t0 = System.nanoTime();
        CompletableFuture<ExecutionResult> call = sandbox.execute(request, deadlineNanos);
        call.whenComplete((r, e) -> nanos += System.nanoTime() - t0);
        return call;
    }

    @Override
    public CompletableFuture<Void> deleteSession(String sessionId) {
        return sandbox.deleteSession(sessionId);
    }
}
