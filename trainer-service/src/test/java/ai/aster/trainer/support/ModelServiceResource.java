package ai.aster.trainer.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged model-service jar (as {@code ./aster up} runs it) serving a tiny ModelInit model, with its checkpoint
 * root = the trainer's, so the trainer's weight sync hot-reloads real checkpoints. A reload swaps at once under
 * running requests (drain timeout 0), which the test uses to have a request in flight across the swap.
 */
public class ModelServiceResource implements QuarkusTestResourceLifecycleManager {

    public static final String INTERNAL_TOKEN = "test-internal-token"; // the trainer's test profile token
    public static final Path MODEL = Path.of("target/models/sft-sync");

    private Process process;
    private String url;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createDirectories(Path.of("target")).resolve("model-service-" + System.nanoTime());
            Path root = Files.createDirectories(dir.resolve("checkpoints")).toAbsolutePath();
            TrainingData.model(MODEL);
            int port = ServingPlatform.freePort();
            url = "http://127.0.0.1:" + port;
            ProcessBuilder pb = new ProcessBuilder(List.of(ServingPlatform.java(), "--enable-native-access=ALL-UNNAMED",
                    "-Dquarkus.otel.sdk.disabled=true", "-Xmx1g", "-Dai.djl.offline=true",
                    "-Dquarkus.http.port=" + port, "-Daster.model.path=" + MODEL.toAbsolutePath(),
                    "-Daster.model.checkpoint-root=" + root, "-Daster.model.reload-drain-timeout=0s",
                    "-Daster.model.compute-threads=1", "-jar", ServingPlatform.packagedJar("model-service").toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("model-service.log").toFile());
            pb.environment().put("ASTER_INTERNAL_TOKEN", INTERNAL_TOKEN);
            process = pb.start();
            awaitReady(dir.resolve("model-service.log"));
            return Map.of("aster.trainer.checkpoint-root", root.toString(), "aster.trainer.model-endpoint", url,
                    // its own embedded database folder: an earlier application start in this JVM holds the default's
                    "aster.trainer.db.data-dir", "target/postgres-weight-sync");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Path log) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos(); // a bound for a loaded machine
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("model-service exited at start; see " + log.toAbsolutePath());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("model-service not ready in 5 minutes; see " + log.toAbsolutePath());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(url, new TestInjector.AnnotatedAndMatchesType(ModelServiceUrl.class, String.class));
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** Marks the test's {@code String} field that receives the model service's base URL. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.FIELD)
    public @interface ModelServiceUrl {}
}
