package ai.aster.trainer.support;

import ai.aster.kafka.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real serving path, as {@code ./aster up} runs it: a single-node Kafka broker, and the packaged sandbox-,
 * model- and gateway-service jars (built earlier in the reactor) as child processes on free ports, serving a tiny
 * random Qwen3 model made by {@code ai.aster.modeling.ModelInit}. Its answers are noise; everything else is real.
 */
public final class ServingPlatform implements AutoCloseable {

    public static final String API_KEY = "sk-eval-test";
    public static final String INTERNAL_TOKEN = "eval-test-internal-token";

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private LocalKafka kafka;
    private String gatewayUrl;

    private ServingPlatform(Path dir) {
        this.dir = dir;
    }

    public static ServingPlatform start() {
        Path dir;
        try {
            dir = Files.createDirectories(Path.of("target")).resolve("platform-" + System.nanoTime());
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServingPlatform platform = new ServingPlatform(dir);
        try {
            platform.boot();
            return platform;
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
    }

    private void boot() {
        try {
            Path model = dir.resolve("model");
            run("model-init", List.of(java(), "-cp", System.getProperty("java.class.path"),
                    "ai.aster.modeling.ModelInit", model.toString(), "--seed", "42"));
            kafka = LocalKafka.start(dir.resolve("kafka"));
            int sandboxPort = freePort();
            int modelPort = freePort();
            int gatewayPort = freePort();
            String instance = "eval-test-" + ProcessHandle.current().pid();
            Process sandbox = spawn("sandbox-service", List.of("-Xmx256m", "-Dquarkus.http.port=" + sandboxPort,
                    "-Daster.sandbox.instance=" + instance, "-Daster.sandbox.pool.size=1"));
            Process modelService = spawn("model-service", List.of("-Xmx1g", "-Dai.djl.offline=true",
                    "-Dquarkus.http.port=" + modelPort, "-Daster.model.path=" + model,
                    "-Daster.model.compute-threads=1", "-Daster.model.max-batch-size=8"));
            String sandboxUrl = "http://127.0.0.1:" + sandboxPort;
            String modelUrl = "http://127.0.0.1:" + modelPort;
            awaitReady(dir, "sandbox-service", sandbox, sandboxUrl);
            awaitReady(dir, "model-service", modelService, modelUrl);
            Process gateway = spawn("gateway-service", List.of("-Xmx512m", "-Dquarkus.http.port=" + gatewayPort,
                    "-Daster.gateway.api-keys=" + API_KEY, "-Daster.gateway.model-url=" + modelUrl,
                    "-Daster.gateway.sandbox-url=" + sandboxUrl,
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers()));
            gatewayUrl = "http://127.0.0.1:" + gatewayPort;
            awaitReady(dir, "gateway-service", gateway, gatewayUrl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gateway's OpenAI-compatible base URL ({@code .../v1}). */
    public String endpoint() {
        return gatewayUrl + "/v1";
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    private Process spawn(String service, List<String> options) throws IOException {
        Path jar = packagedJar(service);
        List<String> command = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.otel.sdk.disabled=true"));
        command.addAll(options);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(service + ".log").toFile());
        pb.environment().put("ASTER_INTERNAL_TOKEN", INTERNAL_TOKEN);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private void run(String name, List<String> command) throws IOException {
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the service's readiness check; fails at once when the process exits. */
    static void awaitReady(Path dir, String name, Process process, String url) {
        HttpClient http = HttpClient.newHttpClient();
        // a bound for a machine under heavy load, not a pause: the loop returns as soon as the service is ready
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start; see " + dir.resolve(name + ".log")
                        .toAbsolutePath());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
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
                process.waitFor(250, TimeUnit.MILLISECONDS); // returns early if it dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " not ready in 5 minutes; see " + dir.resolve(name + ".log")
                .toAbsolutePath());
    }

    static Path packagedJar(String module) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path jar = d.resolve(module + "/target/quarkus-app/quarkus-run.jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException(module + " is not packaged: run `mvn -pl trainer-service -am verify` "
                + "(the reactor packages it before trainer-service)");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Process p : processes.reversed()) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
