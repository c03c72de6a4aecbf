package ai.aster.gateway.service;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;

/** What the agent loop needs of the sandbox service. Blocking: the loop runs on a virtual thread. */
public interface SandboxPort {

    /**
     * Runs one execution. Saturation (429) is retried until {@code deadlineNanos}, then
     * {@link DeadlineExceededException}; a down sandbox is {@link DependencyUnavailableException}.
     */
    ExecutionResult execute(ExecutionRequest request, long deadlineNanos) throws InterruptedException;

    /** Drops a session's state; best effort, never throws. */
    void deleteSession(String sessionId);
}
