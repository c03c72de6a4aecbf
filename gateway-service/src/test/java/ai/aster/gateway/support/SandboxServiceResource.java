package ai.aster.gateway.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Starts the real sandbox-service (its packaged jar, built earlier in the reactor) on a free port, with its own
 * container label ({@code gateway-test}), and points the gateway at it.
 */
public class SandboxServiceResource implements QuarkusTestResourceLifecycleManager {

    /**
     * The container label of the sandbox started for this JVM: unique, because a sandbox removes leftovers of its own
     * label at start, and other test suites (or other checkouts) may run a gateway-test sandbox at the same time.
     */
    public static String instance() {
        return System.getProperty(INSTANCE_PROPERTY, "gateway-test");
    }

    private static final String INSTANCE_PROPERTY = "aster.test.sandbox.instance";
    /** Pre-warmed containers the test sandbox keeps idle. */
    public static final int POOL_SIZE = 2;
    private Process process;

    @Override
    public Map<String, String> start() {
        Path jar = locateJar();
        String instance = "gateway-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
        System.setProperty(INSTANCE_PROPERTY, instance);
        int port = freePort();
        try {
            Path log = Files.createDirectories(Path.of("target")).resolve("sandbox-service-test-" + System.currentTimeMillis() + ".log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-Dquarkus.http.port=" + port,
                    "-Daster.sandbox.instance=" + instance, "-Daster.sandbox.pool.size=" + POOL_SIZE,
                    "-Dquarkus.otel.sdk.disabled=true", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            // the sandbox requires the internal token; the gateway's test profile sends this one
            builder.environment().put("ASTER_INTERNAL_TOKEN", ScriptedModelServer.INTERNAL_TOKEN);
            process = builder.start();
            String url = "http://127.0.0.1:" + port;
            awaitReady(url, log);
            return Map.of("aster.gateway.sandbox-url", url);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(String url, Path log) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sandbox-service exited at start; see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("sandbox-service not ready in 120 s; see " + log.toAbsolutePath());
    }

    static Path locateJar() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("sandbox-service/target/quarkus-app/quarkus-run.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("sandbox-service is not packaged: run `mvn -pl sandbox-service -am package "
                + "-DskipTests` (the root `mvn verify` builds it before gateway-service)");
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
