package ai.aster.trainer.service;

/** A request this service cannot answer as asked; {@code param} names the offending field (400). */
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
