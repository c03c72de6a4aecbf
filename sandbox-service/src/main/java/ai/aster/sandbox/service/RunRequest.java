package ai.aster.sandbox.service;

import java.time.Duration;

/**
 * One validated call as the container runs it.
 *
 * @param state the session's pickled globals, empty for a new session; null outside sessions
 */
record RunRequest(String code, String stdin, Duration timeout, int memoryMb, byte[] state) {

    boolean inSession() {
        return state != null;
    }
}
