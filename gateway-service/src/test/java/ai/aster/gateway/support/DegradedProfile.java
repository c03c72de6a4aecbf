package ai.aster.gateway.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A dead sandbox, a short trajectory deadline and room for only two trajectories. */
public class DegradedProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "aster.gateway.sandbox-url", "http://127.0.0.1:1",
                "aster.gateway.trajectory-deadline", "3s",
                "aster.gateway.max-concurrent-trajectories", "2");
    }
}
