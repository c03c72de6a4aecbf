package ai.aster.trainer.support;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged trainer-service ({@code target/quarkus-app/quarkus-run.jar}) as a child process. */
public final class TrainerProcess {

    public static final String TOKEN = "it-internal-token";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private TrainerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the jar against {@code bootstrap}, keeping its embedded database in {@code dbDir}, and waits until ready. */
    public static TrainerProcess start(String bootstrap, Path dbDir, Path log) {
        return start(bootstrap, dbDir, log, List.of());
    }

    /** As {@link #start(String, Path, Path)}, with extra JVM options ({@code -Dkey=value}). */
    public static TrainerProcess start(String bootstrap, Path dbDir, Path log, List<String> jvmOptions) {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: integration tests run after `package`");
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-Dquarkus.http.port=" + port,
                "-Dquarkus.otel.sdk.disabled=true"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("ASTER_INTERNAL_TOKEN", TOKEN);
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("ASTER_DB_DIR", dbDir.toAbsolutePath().toString());
        try {
            TrainerProcess trainer = new TrainerProcess(builder.start(), port);
            trainer.awaitReady(log);
            return trainer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** GET with the internal token; the body as text. */
    public String get(String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .header("Authorization", "Bearer " + TOKEN).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(pathAndQuery + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** A graceful stop (SIGTERM). */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    private void awaitReady(Path log) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("trainer exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200); // polling the process's own readiness endpoint
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("trainer not ready within " + READY_TIMEOUT + ":\n" + Files.readString(log));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
