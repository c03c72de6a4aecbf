package ai.aster.gateway.service;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import java.util.concurrent.CompletableFuture;

/** What the agent loop needs of the sandbox service. Asynchronous, like {@link ModelPort}. */
public interface SandboxPort {

    /**
     * Runs one execution. Saturation (429) is retried until {@code deadlineNanos}, then
     * {@link DeadlineExceededException}; a down sandbox is {@link DependencyUnavailableException}. Cancelling the
     * future abandons the call.
     */
    CompletableFuture<ExecutionResult> execute(ExecutionRequest request, long deadlineNanos);

    /** Drops a session's state; best effort: the future completes (never exceptionally) when done or given up. */
    CompletableFuture<Void> deleteSession(String sessionId);
}
