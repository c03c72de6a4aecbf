package ai.aster.trainer.replicate;

/** A replication that cannot go on, worded for the user as one line (the platform, a job, a file). */
public class ReplicationException extends RuntimeException {

    public ReplicationException(String message) {
        super(message);
    }

    public ReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
