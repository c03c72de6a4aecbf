package ai.aster.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The trainer-service programs as a user starts them: through the {@code ./aster} launcher on the packaged jar
 * (failsafe runs after {@code package}). The tests that call the programs' {@code run} methods use the test class
 * path, which hides what the launcher's class path lacks: {@code ./aster teach} once failed with a
 * ClassNotFoundException for DJL's tokenizer, which the jar keeps in {@code lib/boot} (parent-first).
 */
class LauncherIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void curriculumWritesProblemsThroughTheLauncher() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "launcher-it-" + System.nanoTime()).toAbsolutePath());
        Path out = dir.resolve("train.jsonl");
        Result r = launch(dir, "curriculum", "--split", "train", "--count", "3", "--seed", "7", "--out",
                out.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(Files.readAllLines(out)).hasSize(3);
    }

    @Test
    void teachLoadsTheModelsTokenizerThroughTheLauncher() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "launcher-it-" + System.nanoTime()).toAbsolutePath());
        Path model = dir.resolve("model");
        Process init = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "ai.aster.modeling.ModelInit", model.toString(),
                "--seed", "3").redirectErrorStream(true).redirectOutput(dir.resolve("model-init.log").toFile())
                .start();
        assertThat(init.waitFor(300, TimeUnit.SECONDS) && init.exitValue() == 0).isTrue();

        // no sandbox listens on that port: the tokenizer (DJL) loads, then teach says the sandbox cannot be reached
        Result r = launch(dir, "teach", "--style", "sparse", "--count", "1", "--seed", "1", "--model",
                model.toString(), "--no-publish", "--out", dir.resolve("teach.jsonl").toString());
        assertThat(r.output()).doesNotContain("ClassNotFoundException").doesNotContain("NoClassDefFoundError")
                .contains("aster teach: 1 sparse trajectories with the tokenizer of")
                .contains("cannot reach the sandbox at http://127.0.0.1:");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
    }

    private record Result(int exit, String output) {}

    private static Result launch(Path dir, String... args) throws IOException, InterruptedException {
        Path log = dir.resolve("launcher-" + args[0] + ".log");
        List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("aster").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ASTER_INTERNAL_TOKEN", "launcher-it-token");
        pb.environment().put("ASTER_SANDBOX_PORT", Integer.toString(unusedPort()));
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./aster " + args[0] + " did not end within 300 s: "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
