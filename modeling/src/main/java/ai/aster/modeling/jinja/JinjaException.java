package ai.aster.modeling.jinja;

/** A template that cannot be parsed or rendered (including {@code raise_exception} from the template itself). */
public final class JinjaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JinjaException(String message) {
        super(message);
    }
}
