package ai.aster.model.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.Optional;

/** The shared secret of the internal services, {@code aster.internal-token} (outside {@code aster.model}). */
@ConfigMapping(prefix = "aster")
public interface InternalAuthConfig {

    /**
     * The token every caller sends as {@code Authorization: Bearer <token>}; env {@code ASTER_INTERNAL_TOKEN}
     * ({@code ./aster up} generates one into {@code .aster/internal-token}). No default: without it the service
     * refuses to start.
     */
    @WithName("internal-token")
    Optional<String> internalToken();
}
