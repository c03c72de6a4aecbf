package ai.aster.gateway.service;

/**
 * The model service refused a request as invalid (4xx: unknown model, prompt longer than the context): the
 * client's request cannot be served as asked, so its status and message are passed on.
 */
public class UpstreamRejectedException extends RuntimeException {

    private final int status;

    public UpstreamRejectedException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
