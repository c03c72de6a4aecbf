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

    /**
     * The packaged trainer on a machine where embedded PostgreSQL's binaries were never unpacked (a fresh working
     * directory): the unpacking runs inside Quarkus's class loaders, where commons-compress (parent-first) once could
     * not see its own dependencies, and a new user's first {@code ./aster up} failed with a bare
     * "UndeclaredThrowableException". The other tests never saw it: they unpack on the flat test class path.
     */
    @Test
    void packagedTrainerUnpacksEmbeddedPostgresOnAFreshMachine() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "launcher-it-" + System.nanoTime()).toAbsolutePath());
        int port = unusedPort();
        Path log = dir.resolve("trainer.log");
        Process trainer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dot.epg.working-dir=" + dir.resolve("epg"), "-Dquarkus.http.port=" + port,
                "-Daster.trainer.db.data-dir=" + dir.resolve("postgres"), "-Daster.internal-token=launcher-it-token",
                "-Dkafka.bootstrap.servers=127.0.0.1:" + unusedPort(), "-Daster.trainer.checkpoint-root=" + dir,
                "-jar", ROOT.resolve("trainer-service/target/quarkus-app/quarkus-run.jar").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/v1/trajectories?limit=1"))
                    .header("Authorization", "Bearer launcher-it-token").build();
            int status = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (status != 200 && trainer.isAlive() && System.nanoTime() < deadline) {
                try {
                    status = http.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException e) {
                    Thread.sleep(500); // not listening yet
                }
            }
            // the store answered: PostgreSQL was unpacked, started and migrated inside the packaged application
            assertThat(status).as(Files.readString(log, StandardCharsets.UTF_8)).isEqualTo(200);
        } finally {
            trainer.destroy();
            if (!trainer.waitFor(60, TimeUnit.SECONDS)) {
                trainer.destroyForcibly();
            }
        }
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
