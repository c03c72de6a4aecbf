package ai.aster.sandbox.service;

/** Every execution slot and queue place is taken: answered 429 with Retry-After. */
public class OverloadedException extends RuntimeException {
    public OverloadedException(String message) {
        super(message);
    }
}
