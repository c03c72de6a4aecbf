package ai.aster.sandbox.service;

/** The container engine (or the image) cannot serve calls now: answered 503. */
public class EngineUnavailableException extends RuntimeException {
    public EngineUnavailableException(String message) {
        super(message);
    }
}
