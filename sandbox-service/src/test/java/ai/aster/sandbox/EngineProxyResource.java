package ai.aster.sandbox;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Starts an {@link EngineProxy} and points the service at it. */
public class EngineProxyResource implements QuarkusTestResourceLifecycleManager {

    /** Marks the test field that receives the proxy. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectEngineProxy {}

    private EngineProxy proxy;
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("aster-engine-proxy");
            proxy = new EngineProxy(dir.resolve("engine.sock"), Path.of(TestEngine.HOST.replace("unix://", "")));
            proxy.restore();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("aster.sandbox.docker-host", proxy.dockerHost(),
                "aster.sandbox.instance", "sandbox-test-recovery",
                "aster.sandbox.pool.size", "2");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(proxy,
                new TestInjector.AnnotatedAndMatchesType(InjectEngineProxy.class, EngineProxy.class));
    }

    @Override
    public void stop() {
        try {
            // Give the engine back before the service shuts down, so it can remove its containers.
            proxy.restore();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
