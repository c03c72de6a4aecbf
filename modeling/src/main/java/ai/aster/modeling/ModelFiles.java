package ai.aster.modeling;

import ai.aster.modeling.io.Checkpoint;
import ai.aster.modeling.io.DType;
import ai.aster.modeling.io.SafetensorsWriter;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/** A model's files in Hugging Face layout: weights and config read from a checkpoint folder, and written back. */
final class ModelFiles {

    /** The files besides the weights that {@link #save} copies from the source folder when present. */
    private static final List<String> SIDE_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "generation_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "chat_template.jinja");

    private ModelFiles() {
    }

    /** Reads {@code config.json} and the (possibly sharded) safetensors into {@code manager}. */
    static Qwen3Weights load(Path modelDir, Qwen3Config config, NDManager manager) {
        return Qwen3Weights.load(Checkpoint.open(modelDir), config, manager);
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} (as {@code dtype}) into {@code dir}, plus the
     * tokenizer files of {@code source} (the folder the weights came from) when it is another folder.
     */
    static void save(Qwen3Weights weights, Qwen3Config config, Path source, Path dir, String dtype) {
        try {
            Files.createDirectories(dir);
            boolean gradMode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                SafetensorsWriter.write(dir.resolve("model.safetensors"), weights.toTensors(), dtype, Map.of());
            } finally {
                JniUtils.setGradMode(gradMode);
            }
            config.write(dir.resolve("config.json"), DType.BF16.equals(dtype) ? "bfloat16" : "float32");
            Files.deleteIfExists(dir.resolve("model.safetensors.index.json"));
            if (source != null && !source.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
                for (String f : SIDE_FILES) {
                    Path src = source.resolve(f);
                    if (Files.isRegularFile(src)) {
                        Files.copy(src, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save model to " + dir, e);
        }
    }
}
