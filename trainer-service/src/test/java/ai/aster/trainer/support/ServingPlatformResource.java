package ai.aster.trainer.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts the {@link ServingPlatform} for a test and points trainer-service's evaluation jobs, Kafka and training jobs
 * (checkpoint root = the model service's, weight sync to its model service) at it.
 */
public class ServingPlatformResource implements QuarkusTestResourceLifecycleManager {

    private ServingPlatform platform;

    @Override
    public Map<String, String> start() {
        platform = ServingPlatform.start();
        // its own embedded database folder: this test restarts the application, and an embedded PostgreSQL of an
        // earlier start in this JVM still holds the lock on the test profile's folder
        return Map.of("aster.trainer.eval.endpoint", platform.endpoint(),
                "aster.trainer.eval.api-key", ServingPlatform.API_KEY,
                "kafka.bootstrap.servers", platform.kafkaBootstrapServers(),
                "aster.trainer.db.data-dir", "target/postgres-eval-e2e",
                "aster.trainer.checkpoint-root", platform.checkpointRoot().toString(),
                "aster.trainer.model-endpoint", platform.modelServiceUrl());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(platform, new TestInjector.MatchesType(ServingPlatform.class));
    }

    @Override
    public void stop() {
        if (platform != null) {
            platform.close();
        }
    }
}
