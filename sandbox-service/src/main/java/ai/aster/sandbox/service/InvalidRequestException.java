package ai.aster.sandbox.service;

/** A request that is malformed or out of range: answered 400, before any container is touched. */
public class InvalidRequestException extends RuntimeException {
    private final String param;

    public InvalidRequestException(String message, String param) {
        super(message);
        this.param = param;
    }

    /** The offending request field, as the OpenAI error body names it. */
    public String param() {
        return param;
    }
}
