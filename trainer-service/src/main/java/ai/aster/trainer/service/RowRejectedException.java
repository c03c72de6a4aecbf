package ai.aster.trainer.service;

/** The database refused one row for what it contains (e.g. a NUL character JSONB cannot hold). */
public class RowRejectedException extends Exception {
    public RowRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
