package ai.aster.trainer.teach;

/** A trajectory the teacher could not write (a failed execution, an answer that is not the reference). */
public class TeachingException extends RuntimeException {

    public TeachingException(String message) {
        super(message);
    }

    public TeachingException(String message, Throwable cause) {
        super(message, cause);
    }
}
