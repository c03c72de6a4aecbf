package ai.aster.gateway.client;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.protocol.auth.InternalToken;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The internal token the gateway presents to model-service and sandbox-service ({@code Authorization: Bearer}).
 * Both require it, and the gateway always uses the model service, so a gateway without one refuses to start.
 */
@ApplicationScoped
public class InternalAuth {

    static final String MISSING = "no internal token: set " + InternalToken.ENV
            + " (or aster.internal-token), the token model-service and sandbox-service require; ./aster up generates"
            + " one into .aster/internal-token";

    private final String header;

    public InternalAuth(GatewayConfig config) {
        this.header = config.internalToken().filter(t -> !t.isBlank()).map(t -> InternalToken.bearer(t.strip()))
                .orElse(null);
    }

    void requireAtStart(@Observes StartupEvent ignored) {
        if (header == null) {
            throw new MissingInternalToken();
        }
    }

    /** The {@code Authorization} header value for calls to the internal services. */
    public String header() {
        if (header == null) {
            throw new MissingInternalToken();
        }
        return header;
    }

    /** The startup failure: a one-line message, no stack trace worth reading. */
    static final class MissingInternalToken extends IllegalStateException {
        MissingInternalToken() {
            super(MISSING);
            setStackTrace(new StackTraceElement[0]);
        }
    }
}
