package ai.aster.trainer.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An independent parquet reader for the export tests: the npm package hyparquet (pure JavaScript, shares no code
 * with parquet-java or Arrow) run by node. {@code src/test/js} holds its package.json, lock file and script; the
 * first use installs it with {@code npm ci} into {@code target/hyparquet}.
 */
public final class Hyparquet {

    private static final Path SOURCE = Path.of("src/test/js");
    private static final Path HOME = Path.of("target/hyparquet");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Hyparquet() {}

    /**
     * The file as hyparquet reads it: {@code {num_rows, columns: [{name, repetition, type, logical, children}],
     * rows: [...]}} with every row as nested JSON.
     */
    public static JsonNode read(Path parquet) throws IOException, InterruptedException {
        install();
        String out = run(List.of("node", HOME.resolve("read-parquet.mjs").toAbsolutePath().toString(),
                parquet.toAbsolutePath().toString()), HOME);
        return JSON.readTree(out);
    }

    private static synchronized void install() throws IOException, InterruptedException {
        Files.createDirectories(HOME);
        for (String name : List.of("package.json", "package-lock.json", "read-parquet.mjs")) {
            Files.copy(SOURCE.resolve(name), HOME.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isRegularFile(HOME.resolve("node_modules/hyparquet/package.json"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"), HOME);
        }
    }

    private static String run(List<String> command, Path directory) throws IOException, InterruptedException {
        Path log = Files.createTempFile("hyparquet-", ".err");
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectError(log.toFile()).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 5 minutes");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                        + ": " + Files.readString(log));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
