package ai.aster.model.engine;

/** The waiting queue is full: the caller answers 429 with Retry-After. */
public class EngineOverloadedException extends RuntimeException {

    public EngineOverloadedException(String message) {
        super(message);
    }
}
