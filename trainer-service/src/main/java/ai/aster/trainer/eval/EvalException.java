package ai.aster.trainer.eval;

/**
 * A failure the user can act on (bad benchmark name, endpoint that does not answer, a run folder with other
 * settings): its message is printed as is, without a stack trace.
 */
public class EvalException extends RuntimeException {

    public EvalException(String message) {
        super(message);
    }

    public EvalException(String message, Throwable cause) {
        super(message, cause);
    }
}
