package ai.aster.gateway.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A ToRL-style model: ```python blocks, results as ```output blocks. */
public class MarkdownProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("aster.gateway.tool-protocol", "markdown");
    }
}
