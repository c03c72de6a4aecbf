package ai.aster.gateway.health;

import ai.aster.gateway.client.ModelServiceClient;
import ai.aster.gateway.client.SandboxClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the model service lists its model and the sandbox says it is ready: a request can then be served. */
@Readiness
@ApplicationScoped
public class DependenciesReadiness implements HealthCheck {

    private final ModelServiceClient model;
    private final SandboxClient sandbox;

    public DependenciesReadiness(ModelServiceClient model, SandboxClient sandbox) {
        this.model = model;
        this.sandbox = sandbox;
    }

    @Override
    public HealthCheckResponse call() {
        boolean modelUp;
        try {
            modelUp = !model.models().data().isEmpty();
        } catch (RuntimeException e) {
            modelUp = false;
        }
        boolean sandboxUp = sandbox.ready(Duration.ofSeconds(2));
        return HealthCheckResponse.named("dependencies")
                .status(modelUp && sandboxUp)
                .withData("model-service", modelUp ? "up" : "down")
                .withData("sandbox-service", sandboxUp ? "up" : "down")
                .build();
    }
}
