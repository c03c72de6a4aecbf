package ai.aster.model;

import ai.aster.modeling.ModelInit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Tiny Qwen3 checkpoints made by {@link ModelInit}, written once per test JVM and shared by every test class (the
 * same weights in every application restart, so results can be compared across test profiles).
 */
public final class TestModels {

    private static Path root;

    private TestModels() {
    }

    /** The model every test serves. */
    public static synchronized Path base() {
        return folder("base", 42);
    }

    /** Same architecture and tokenizer, other weights: a checkpoint to hot-reload. */
    public static synchronized Path other() {
        return folder("other", 7);
    }

    private static Path folder(String name, long seed) {
        try {
            if (root == null) {
                root = Files.createTempDirectory("aster-model-test");
                Runtime.getRuntime().addShutdownHook(new Thread(TestModels::deleteRoot));
            }
            Path dir = root.resolve(name);
            if (!Files.exists(dir.resolve("config.json"))) {
                ModelInit.Options d = ModelInit.Options.defaults();
                ModelInit.write(dir, new ModelInit.Options(d.hidden(), d.layers(), d.heads(), d.kvHeads(),
                        d.headDim(), d.intermediate(), d.maxPosition(), seed, d.dtype()));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
