package ai.aster.sandbox.service;

/** DELETE of a session this service does not hold (never created, expired, or deleted): answered 404. */
public class SessionNotFoundException extends RuntimeException {
    public SessionNotFoundException(String id) {
        super("no session '" + id + "' (never used, expired, or already deleted)");
    }
}
