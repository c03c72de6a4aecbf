package ai.aster.model.health;

import ai.aster.model.service.ApiException;
import ai.aster.model.service.InferenceBackend;
import ai.aster.protocol.openai.ModelList;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the backend can describe its model: the weights are loaded, or the upstream answers. */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {

    private final InferenceBackend backend;

    public ModelReadinessCheck(InferenceBackend backend) {
        this.backend = backend;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            ModelList.Model model = backend.model();
            return HealthCheckResponse.named("model").up()
                    .withData("id", model.id())
                    .withData("device", model.device())
                    .withData("policy_version", model.policyVersion())
                    .build();
        } catch (ApiException | IllegalStateException e) {
            return HealthCheckResponse.named("model").down().withData("reason", e.getMessage()).build();
        }
    }
}
