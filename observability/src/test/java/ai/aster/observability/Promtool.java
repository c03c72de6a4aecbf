package ai.aster.observability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Prometheus's promtool (Debian package {@code prometheus}; .ci/run installs it). */
final class Promtool {

    record Result(int exitCode, String output) {}

    private Promtool() {
    }

    static Result run(Path workDir, String... args) {
        String binary = binary();
        List<String> command = new ArrayList<>(List.of(binary));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String binary() {
        for (String candidate : List.of(System.getenv().getOrDefault("PROMTOOL", ""), "/usr/bin/promtool",
                "/usr/local/bin/promtool")) {
            if (!candidate.isEmpty() && Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("promtool not found: install Debian's `prometheus` package "
                + "(apt-get install prometheus; .ci/run does) or set PROMTOOL");
    }
}
