package ai.aster.trainer.service;

/** The database could not be reached: the batch is retried, never dead-lettered (the records are fine). */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
