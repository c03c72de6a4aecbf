package ai.aster.trainer.rest;

import ai.aster.protocol.auth.InternalToken;
import ai.aster.trainer.config.TrainerConfig;
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

    public InternalTokenHolder(TrainerConfig config) {
        String value = config.internalToken().filter(s -> !s.isBlank()).orElseThrow(() -> new ConfigurationException(
                "trainer-service refuses to start: no internal token; set " + InternalToken.ENV
                        + " (./aster up generates one into .aster/internal-token)"));
        this.token = new InternalToken(value);
    }

    public InternalToken token() {
        return token;
    }
}
