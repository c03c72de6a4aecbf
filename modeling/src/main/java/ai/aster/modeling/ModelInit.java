package ai.aster.modeling;

import java.nio.file.Path;

/**
 * Writes a randomly initialised Qwen3 model with its own byte-level tokenizer:
 * {@code ModelInit DIR [--hidden N --layers N --heads N --kv-heads N --head-dim N --intermediate N
 * --max-position N --seed N --dtype f32|bf16]}.
 */
public final class ModelInit {

    /** Model dimensions; defaults give a tiny model that loads and decodes in well under a second. */
    public record Options(int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate,
            int maxPosition, long seed, String dtype) {

        public static Options defaults() {
            return new Options(64, 2, 4, 2, 16, 128, 4096, 42, "f32");
        }
    }

    private ModelInit() {
    }

    /** Writes config.json, model.safetensors, tokenizer.json and tokenizer_config.json into {@code dir}. */
    public static Path write(Path dir, Options options) {
        throw new UnsupportedOperationException("not yet");
    }

    public static void main(String[] args) {
        throw new UnsupportedOperationException("not yet");
    }
}
