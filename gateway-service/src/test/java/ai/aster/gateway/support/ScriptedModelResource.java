package ai.aster.gateway.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Starts the {@link ScriptedModelServer} as the gateway's model service and injects it into test fields. */
public class ScriptedModelResource implements QuarkusTestResourceLifecycleManager {

    private ScriptedModelServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = new ScriptedModelServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("aster.gateway.model-service-url", server.url());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server, new TestInjector.MatchesType(ScriptedModelServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
