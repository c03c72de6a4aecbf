package ai.aster.gateway.service;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;

/** A {@link SandboxPort} that adds up the wall time of one trajectory's executions ({@code timings.tool_ms}). */
final class TimedSandboxPort implements SandboxPort {

    private final SandboxPort sandbox;
    private long nanos; // one trajectory's thread only

    TimedSandboxPort(SandboxPort sandbox) {
        this.sandbox = sandbox;
    }

    long nanos() {
        return nanos;
    }

    @Override
    public ExecutionResult execute(ExecutionRequest request, long deadlineNanos) throws InterruptedException {
        long t0 = System.nanoTime();
        try {
            return sandbox.execute(request, deadlineNanos);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void deleteSession(String sessionId) {
        sandbox.deleteSession(sessionId);
    }
}
