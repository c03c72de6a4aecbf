package ai.aster.model.rest;

import ai.aster.model.config.InternalAuthConfig;
import ai.aster.protocol.auth.InternalToken;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The expected internal token, checked at startup: without {@code ASTER_INTERNAL_TOKEN} the service refuses to
 * start (Quarkus prints a {@link ConfigurationException}'s message as one line, with no stack trace).
 */
@Startup
@ApplicationScoped
public class InternalTokenHolder {

    private final InternalToken token;

    public InternalTokenHolder(InternalAuthConfig config) {
        this.token = of(config.internalToken().orElse(null));
    }

    /** The token for a configured value; refuses a missing or blank one with a one-line message. */
    static InternalToken of(String configured) {
        if (configured == null || configured.isBlank()) {
            throw new ConfigurationException("model-service refuses to start: no internal token; set "
                    + InternalToken.ENV + " (aster.internal-token; ./aster up generates one into .aster/internal-token)");
        }
        return new InternalToken(configured);
    }

    public InternalToken token() {
        return token;
    }
}
