package ai.aster.trainer.repository;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Stops the embedded PostgreSQL (if this application started one) when the application stops. */
@ApplicationScoped
class EmbeddedDatabaseShutdown {

    void onStop(@Observes ShutdownEvent event) {
        EmbeddedDatabase.stopAll();
    }
}
