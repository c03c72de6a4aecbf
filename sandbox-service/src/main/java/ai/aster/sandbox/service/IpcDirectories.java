package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The host directories containers see: the runner's copy ({@code runner/code}, mounted at /opt/aster), an empty
 * directory that covers Podman's default tmpfs mounts, and one socket directory per container (mounted at /ipc).
 */
final class IpcDirectories {

    private final Path base;
    private final Path runnerDir;

    IpcDirectories(SandboxConfig config) {
        this.base = Path.of(config.ipcDir().orElse(
                System.getProperty("java.io.tmpdir") + "/aster-sandbox-" + config.instance()));
        this.runnerDir = base.resolve("runner");
    }

    Path runnerDir() {
        return runnerDir;
    }

    /** Creates the directories and copies the runner out of the service's resources. */
    void prepare() {
        try {
            Files.createDirectories(runnerDir.resolve("code"));
            Files.createDirectories(runnerDir.resolve("empty"));
            for (Path p : List.of(base, runnerDir, runnerDir.resolve("code"), runnerDir.resolve("empty"))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Path runner = runnerDir.resolve("code").resolve("aster_runner.py");
            try (InputStream in = IpcDirectories.class.getResourceAsStream("/runner/aster_runner.py")) {
                if (in == null) {
                    throw new IOException("runner/aster_runner.py missing from the service's resources");
                }
                Files.copy(in, runner, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(runner, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the socket directory " + base, e);
        }
    }

    /** A new, empty socket directory for one container. */
    Path newSocketDirectory() throws IOException {
        Path dir = base.resolve("c-" + UUID.randomUUID());
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    void deleteAll() {
        delete(base);
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file that cannot be deleted stays; the directory is under the service's own tmp path
                }
            });
        } catch (IOException e) {
            // same as above
        }
    }
}
