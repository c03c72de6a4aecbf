package ai.aster.trainer.teach;

/** The sandbox service did not answer at all: no trajectory of the batch can be written, so teaching stops. */
public class SandboxUnreachableException extends TeachingException {

    public SandboxUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
