package ai.aster.trainer.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The packaged sandbox-service (built earlier in the reactor) as a child process on a free port, with the internal
 * token of {@link ServingPlatform}: each execution runs in a real container of {@code aster-sandbox:latest}.
 */
public final class SandboxProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private SandboxProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static SandboxProcess start(Path dir) {
        try {
            Files.createDirectories(dir);
            int port = ServingPlatform.freePort();
            ProcessBuilder pb = new ProcessBuilder(ServingPlatform.java(), "--enable-native-access=ALL-UNNAMED",
                    "-Dquarkus.otel.sdk.disabled=true", "-Xmx256m", "-Dquarkus.http.port=" + port,
                    "-Daster.sandbox.instance=teach-test-" + ProcessHandle.current().pid(),
                    "-jar", ServingPlatform.packagedJar("sandbox-service").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sandbox-service.log").toFile());
            pb.environment().put("ASTER_INTERNAL_TOKEN", ServingPlatform.INTERNAL_TOKEN);
            SandboxProcess sandbox = new SandboxProcess(pb.start(), port);
            try {
                ServingPlatform.awaitReady(dir, "sandbox-service", sandbox.process, sandbox.url());
            } catch (RuntimeException e) {
                sandbox.close();
                throw e;
            }
            return sandbox;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String token() {
        return ServingPlatform.INTERNAL_TOKEN;
    }

    @Override
    public void close() {
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
