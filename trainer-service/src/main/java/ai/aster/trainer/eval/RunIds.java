package ai.aster.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Names of run folders under {@code <state>/evals/}: {@code 20261130-081502-aime2025}, sortable by start time. */
public final class RunIds {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private RunIds() {
    }

    /** A new id for a run of this benchmark (a file benchmark is named by its file name). */
    public static String next(String benchmark, LocalDateTime now) {
        String name = Path.of(benchmark).getFileName().toString().replaceFirst("\\.jsonl$", "")
                .replaceAll("[^A-Za-z0-9_.-]", "_");
        return STAMP.format(now) + "-" + name;
    }

    /** The newest run folder of this benchmark under {@code root} that has no report yet. */
    public static Optional<Path> latestUnfinished(ObjectMapper json, Path root, String benchmark) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(RunFolder.SETTINGS)))
                    .filter(d -> !Files.exists(d.resolve(RunFolder.REPORT_JSON)))
                    .filter(d -> benchmark.equals(benchmarkOf(json, d)))
                    .max(Comparator.comparing(d -> d.getFileName().toString()));
        } catch (IOException e) {
            throw new EvalException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    private static String benchmarkOf(ObjectMapper json, Path dir) {
        try {
            return json.readTree(dir.resolve(RunFolder.SETTINGS).toFile()).path("benchmark").asText(null);
        } catch (IOException e) {
            return null;
        }
    }
}
