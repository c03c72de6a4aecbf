package ai.aster.model.engine;

/** A request the engine cannot run as given: answered 400 naming the offending field. */
public class InvalidRequestException extends RuntimeException {

    private final String param;

    public InvalidRequestException(String message, String param) {
        super(message);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
