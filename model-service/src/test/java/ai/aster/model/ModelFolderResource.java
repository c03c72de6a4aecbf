package ai.aster.model;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the service at the tiny test model ({@code aster.model.path}). */
public class ModelFolderResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("aster.model.path", TestModels.base().toString());
    }

    @Override
    public void stop() {
        // the folders are shared by all test classes and removed when the JVM exits
    }
}
