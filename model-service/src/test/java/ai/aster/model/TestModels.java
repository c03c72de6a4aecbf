package ai.aster.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Tiny Qwen3 checkpoints made by {@code ai.aster.modeling.ModelInit}, written once per test JVM and shared by every
 * test class (the same weights in every application restart, so results can be compared across test profiles).
 *
 * <p>ModelInit runs in a child JVM: test resources run on the test's application class loader, and a modeling
 * class loaded there first can later be handed to the Quarkus application instead of its own copy
 * (ClassCastException between two {@code ChatMessage} classes). So the tests never load modeling classes here.
 */
public final class TestModels {

    private static final String ROOT_PROPERTY = "aster-test.models-root";
    private static Path root;

    private TestModels() {
    }

    /** The model every test serves. */
    public static synchronized Path base() {
        return folder("base", 42);
    }

    /** The folder holding both models (made if missing): the checkpoint root of the reload tests. */
    public static synchronized Path root() {
        other();
        return base().getParent();
    }

    /** Same architecture and tokenizer, other weights: a checkpoint to hot-reload. */
    public static synchronized Path other() {
        return folder("other", 7);
    }

    private static Path folder(String name, long seed) {
        try {
            if (root == null) {
                // a system property (outside the aster.* namespace the service validates), not only this field: test
                // profiles and test resources may load this class in
                // other class loaders, and all must see the same folder
                String shared = System.getProperty(ROOT_PROPERTY);
                if (shared != null) {
                    root = Path.of(shared);
                } else {
                    root = Files.createTempDirectory("aster-model-test");
                    System.setProperty(ROOT_PROPERTY, root.toString());
                    Runtime.getRuntime().addShutdownHook(new Thread(TestModels::deleteRoot));
                }
            }
            Path dir = root.resolve(name);
            if (!Files.exists(dir.resolve("config.json"))) {
                modelInit(dir, seed);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ModelInit DIR --seed N} (default, tiny dimensions) with this JVM's class path. */
    private static void modelInit(Path dir, long seed) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("model-init", ".log");
        Process process = new ProcessBuilder(List.of(java, "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), "ai.aster.modeling.ModelInit", dir.toString(),
                "--seed", Long.toString(seed)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("ModelInit failed: " + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the test model", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void deleteRoot() {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind
        }
    }
}
