package ai.aster.gateway.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Trajectories go to a real Kafka broker (see {@link LocalKafkaResource}). */
public class KafkaProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("mp.messaging.outgoing.trajectories.connector", "smallrye-kafka");
    }
}
