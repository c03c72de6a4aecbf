package ai.aster.gateway.service;

/** The trajectory's wall-clock budget ran out while waiting on a dependency: finish reason {@code deadline}. */
public class DeadlineExceededException extends RuntimeException {

    public DeadlineExceededException(String message) {
        super(message, null, false, false);
    }
}
