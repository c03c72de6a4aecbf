package ai.aster.modeling;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;

/**
 * A Qwen3 decoder on DJL's PyTorch engine. Not thread-safe: one engine thread owns the model and its caches
 * (PyTorch's grad mode is per thread, and forward steps mutate the caches).
 */
public final class Qwen3Model implements AutoCloseable {

    private Qwen3Model() {
    }

    /** Loads {@code config.json} and the (possibly sharded) safetensors of a Hugging Face Qwen3 checkpoint. */
    public static Qwen3Model load(Path modelDir, Device device) {
        throw new UnsupportedOperationException("not yet");
    }

    /** CUDA gpu(0) when DJL sees a GPU, the CPU otherwise. */
    public static Device defaultDevice() {
        throw new UnsupportedOperationException("not yet");
    }

    public Qwen3Config config() {
        throw new UnsupportedOperationException("not yet");
    }

    public Device device() {
        throw new UnsupportedOperationException("not yet");
    }

    /** The folder the weights came from (or were last saved to); null for a model built in memory. */
    public Path directory() {
        throw new UnsupportedOperationException("not yet");
    }

    /** An empty per-sequence cache for this model. */
    public KvCache newCache() {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * One batched forward step over sequences of different lengths: appends {@code newTokens.get(i)} (a prefill
     * chunk of any length >= 1, or one decode token) to {@code caches.get(i)} and returns the logits at the last
     * new position of each sequence: {@code float[batch][vocab]}.
     */
    public float[][] forward(List<KvCache> caches, List<int[]> newTokens) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Logits at the last position of {@code tokens}, recomputing the whole sequence without any cache. */
    public float[] logitsWithoutCache(int[] tokens) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Training loss: mean cross-entropy of predicting {@code tokens[b][t]} from the tokens before it, over the
     * positions where {@code lossMask[b][t]} is true (position 0 is never predicted). Rows may differ in length;
     * they are right-padded internally. Records gradients when called inside a {@code GradientCollector}.
     */
    public NDArray trainingLoss(NDManager manager, int[][] tokens, boolean[][] lossMask) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The trainable weights by their Hugging Face names (fused tensors are split views). */
    public List<NDArray> parameters() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Writes {@code config.json} and {@code model.safetensors} in Hugging Face layout, plus known tokenizer files. */
    public void save(Path dir) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("not yet");
    }
}
