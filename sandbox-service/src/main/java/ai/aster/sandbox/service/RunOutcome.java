package ai.aster.sandbox.service;

import ai.aster.protocol.sandbox.ExecutionStatus;

/**
 * What one container run gave: how it ended, its capped output, the new session state (null if none), and whether
 * the runner could not restore or save the session's state.
 */
record RunOutcome(
        ExecutionStatus status,
        Integer exitCode,
        String stdout,
        String stderr,
        boolean stdoutTruncated,
        boolean stderrTruncated,
        byte[] state,
        boolean sessionReset) {}
