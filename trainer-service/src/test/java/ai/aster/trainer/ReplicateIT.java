package ai.aster.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@code ./aster replicate --quick} as CI runs it: the whole recipe through the launcher on the packaged jars (a
 * second platform under the run folder, on free ports), checked for having run, not for its outcome: exit 0, a
 * report with a row per setting, valid PNG plots, every SFT and GRPO job succeeded, the best checkpoint copied.
 */
class ReplicateIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void quickReplicationRunsEveryStage() throws Exception {
        Path out = Path.of("target", "replicate-it-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(out.getParent());
        Path log = out.getParent().resolve(out.getFileName() + ".log");
        int base = freePortBase();
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("aster").toString(), "replicate", "--quick", "--out",
                out.toString(), "--port-base", Integer.toString(base)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().remove("ASTER_STATE_DIR");
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroy(); // the launcher's trap stops the platform
            p.waitFor(2, TimeUnit.MINUTES);
            throw new AssertionError("./aster replicate --quick did not end within 15 min: " + tail(log));
        }
        assertThat(p.exitValue()).as(tail(log)).isZero();

        Path report = out.resolve("replication.md");
        String md = Files.readString(report, StandardCharsets.UTF_8);
        for (String setting : List.of("dense-b4", "sparse-b4", "dense-b1")) {
            assertThat(md).contains("### " + setting + " (");
        }
        assertThat(md).contains("## Compared with the paper").contains("| 0 | ");
        for (String plot : List.of("replication-accuracy.png", "replication-tool-calls.png",
                "replication-by-level.png")) {
            Path png = out.resolve(plot);
            assertThat(md).contains("](" + plot + ")");
            byte[] bytes = Files.readAllBytes(png);
            assertThat(Arrays.copyOf(bytes, PNG_MAGIC.length)).as(plot).isEqualTo(PNG_MAGIC);
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as(plot).isNotNull();
            assertThat(image.getWidth()).isPositive();
        }

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> jobs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(out.resolve("platform").resolve("checkpoints"), 2)) {
            for (Path f : files.filter(f -> f.getFileName().toString().equals("job.json")).toList()) {
                jobs.add(json.readTree(f.toFile()));
            }
        }
        assertThat(jobs.stream().filter(j -> j.path("type").asText().equals("sft"))).hasSize(2);
        assertThat(jobs.stream().filter(j -> j.path("type").asText().equals("grpo"))).hasSize(3);
        assertThat(jobs).allSatisfy(j -> assertThat(j.path("status").asText()).as(j.toString()).isEqualTo("succeeded"));
        assertThat(out.resolve("best").resolve("config.json")).isRegularFile();
        assertThat(out.resolve("best").resolve("model.safetensors")).isRegularFile();
        // the platform is down again: nothing listens on its gateway port
        assertThat(listening(base)).isFalse();
    }

    /** Six consecutive free ports (gateway, model, sandbox, trainer, kafka, controller). */
    private static int freePortBase() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            boolean free = true;
            for (int p = base; p < base + 6 && free; p++) {
                free = !listening(p) && bindable(p);
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no six consecutive free ports found");
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
