package ai.aster.observability;

import ai.aster.kafka.LocalKafka;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The platform as the launcher runs it, from the jars the reactor packaged: a single-node Kafka, sandbox-, model-
 * and gateway-service on free ports, serving a tiny random model made by ModelInit. Logs go to target/live-*.log.
 */
final class LivePlatform implements AutoCloseable {

    static final String API_KEY = "sk-observability-test";
    /** Passed to every service: ignored by services that do not check it yet, required by those that do. */
    final String internalToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(20));

    private final Path repo;
    private final Path work;
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalKafka kafka;
    String gatewayUrl;
    String modelUrl;
    String sandboxUrl;

    private LivePlatform(Path repo, Path work) {
        this.repo = repo;
        this.work = work;
    }

    static LivePlatform start() throws IOException {
        Path repo = ObservabilityFiles.root().getParent();
        Path work = Files.createDirectories(Path.of("target").toAbsolutePath().resolve("live-" + System.nanoTime()));
        LivePlatform platform = new LivePlatform(repo, work);
        try {
            platform.startAll();
        } catch (RuntimeException | IOException e) {
            platform.close();
            throw e;
        }
        return platform;
    }

    private void startAll() throws IOException {
        Path sandboxJar = packaged("sandbox-service");
        Path modelJar = packaged("model-service");
        Path gatewayJar = packaged("gateway-service");
        Path model = modelInit(work.resolve("model"));
        kafka = LocalKafka.start(work.resolve("kafka"));
        sandboxUrl = "http://127.0.0.1:" + freePort();
        modelUrl = "http://127.0.0.1:" + freePort();
        gatewayUrl = "http://127.0.0.1:" + freePort();
        Process sandbox = service("sandbox", sandboxJar, port(sandboxUrl), "-Xmx256m",
                "-Daster.sandbox.instance=observability-test-" + ProcessHandle.current().pid(),
                "-Daster.sandbox.pool.size=1");
        Process modelService = service("model", modelJar, port(modelUrl), "-Dai.djl.offline=true",
                "-Daster.model.path=" + model, "-Daster.model.compute-threads=1");
        Process gateway = service("gateway", gatewayJar, port(gatewayUrl), "-Xmx256m",
                "-Daster.gateway.api-keys=" + API_KEY, "-Daster.gateway.model-url=" + modelUrl,
                "-Daster.gateway.sandbox-url=" + sandboxUrl, "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers());
        awaitReady("sandbox", sandbox, sandboxUrl);
        awaitReady("model", modelService, modelUrl);
        awaitReady("gateway", gateway, gatewayUrl);
    }

    private Path packaged(String module) {
        Path jar = repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(module + " is not packaged: run `mvn -pl observability -am verify` "
                    + "(the root build packages it before this module)");
        }
        return jar;
    }

    /** A tiny Qwen3-architecture model with its tokenizer, written by ModelInit in a child JVM. */
    private Path modelInit(Path dir) throws IOException {
        Path modeling = repo.resolve("modeling/target");
        try (var jars = Files.list(modeling)) {
            Path jar = jars.filter(p -> p.getFileName().toString().matches("modeling-.*\\.jar")
                            && !p.getFileName().toString().contains("tests")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("modeling is not packaged"));
            Path log = work.resolve("live-model-init.log");
            Process init = new ProcessBuilder(java, "-Dai.djl.offline=true", "-cp",
                    jar + File.pathSeparator + modeling.resolve("lib") + "/*",
                    "ai.aster.modeling.ModelInit", dir.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!init.waitFor(5, TimeUnit.MINUTES) || init.exitValue() != 0) {
                init.destroyForcibly();
                throw new IllegalStateException("ModelInit failed: " + Files.readString(log));
            }
            return dir;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Process service(String name, Path jar, int port, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.port=" + port, "-Dquarkus.otel.sdk.disabled=true"));
        command.addAll(List.of(options));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("live-" + name + ".log").toFile());
        builder.environment().put("ASTER_INTERNAL_TOKEN", internalToken);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private void awaitReady(String name, Process process, String url) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + "-service exited at start; see " + work.resolve("live-" + name + ".log"));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
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
        throw new IllegalStateException(name + "-service not ready in 5 minutes; see " + work.resolve("live-" + name + ".log"));
    }

    HttpResponse<String> post(String url, String body, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request.build());
    }

    HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1)).build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int port(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Process process : processes.reversed()) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
