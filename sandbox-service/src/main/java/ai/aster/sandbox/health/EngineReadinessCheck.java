package ai.aster.sandbox.health;

import ai.aster.sandbox.service.EngineStatus;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the container engine answers and the sandbox image exists; the message says how to fix it if not. */
@Readiness
@ApplicationScoped
public class EngineReadinessCheck implements HealthCheck {

    private final EngineStatus status;

    public EngineReadinessCheck(EngineStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("sandbox-engine");
        return status.ready() ? response.up().build()
                : response.down().withData("reason", status.problem()).build();
    }
}
