package ai.aster.modeling;

import ai.aster.modeling.io.DType;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.List;

/**
 * A Qwen3 decoder on DJL's PyTorch engine: RMSNorm, rotary embeddings (Hugging Face rotate-half), grouped-query
 * attention with per-head q/k RMSNorm, SwiGLU MLP; float32 weights on one device. This class is the public face;
 * the work lives in {@link CachedForward} (inference with KV caches), {@link SequenceScorer} (training and
 * scoring over whole sequences) and {@link ModelFiles} (checkpoint IO), over the shared {@link Qwen3Layers}.
 *
 * <p>Not thread-safe: one engine thread owns the model and its caches (PyTorch's grad mode is per thread, and
 * forward steps mutate caches). Inference runs with grad mode off; {@link #trainingLoss} records gradients when
 * called inside a {@code GradientCollector}.
 */
public final class Qwen3Model implements AutoCloseable {

    private final Qwen3Config config;
    private final Device device;
    private final NDManager manager;
    private final Qwen3Weights weights;
    private final Qwen3Layers layers;
    private final CachedForward decoder;
    private final SequenceScorer scorer;
    private final Path directory;
    private boolean closed;

    private Qwen3Model(Qwen3Config config, Device device, NDManager manager, Qwen3Weights weights, Path directory) {
        this.config = config;
        this.device = device;
        this.manager = manager;
        this.weights = weights;
        this.directory = directory;
        this.layers = new Qwen3Layers(config, weights, manager);
        this.decoder = new CachedForward(this, layers, manager, device.isGpu());
        this.scorer = new SequenceScorer(layers, manager);
    }

    /** Loads {@code config.json} and the (possibly sharded) safetensors of a Hugging Face Qwen3 checkpoint. */
    public static Qwen3Model load(Path modelDir, Device device) {
        Qwen3Config config = Qwen3Config.read(modelDir.resolve("config.json"));
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            return new Qwen3Model(config, device, manager, ModelFiles.load(modelDir, config, manager), modelDir);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** CUDA gpu(0) when DJL's PyTorch engine sees a GPU, the CPU otherwise. */
    public static Device defaultDevice() {
        return Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu(0) : Device.cpu();
    }

    /**
     * Sets PyTorch's intra-op thread count for this process (all models). On a CPU shared with other busy
     * processes, 1 avoids OpenMP threads spinning against each other; otherwise the default (one per core) is
     * fastest for prefill.
     */
    public static void setComputeThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
    }

    public Qwen3Config config() {
        return config;
    }

    public Device device() {
        return device;
    }

    /** The folder the model was loaded from: where its tokenizer files are. */
    public Path directory() {
        return directory;
    }

    NDManager manager() {
        return manager;
    }

    /** Tests force one decode-attention path: 0 = always per sequence, Long.MAX_VALUE = always stacked. */
    void setStackedDecodeBytes(long bytes) {
        decoder.setStackedDecodeBytes(bytes);
    }

    /** Tests compare the training path's causal attention blocks: Integer.MAX_VALUE = one (len, len) product. */
    void setAttentionBlock(int rows) {
        scorer.setAttentionBlock(rows);
    }

    /** Native arrays held by the model and its caches (for leak tests). */
    int managedArrays() {
        return manager.getManagedArrays().size();
    }

    /** An empty per-sequence cache for this model (memory is allocated at the first forward step). */
    public KvCache newCache() {
        checkOpen();
        return new KvCache(this, manager);
    }

    /**
     * One batched forward step over sequences of different lengths: appends {@code newTokens.get(i)} (a prefill
     * chunk of any length >= 1, or one decode token) to {@code caches.get(i)} and returns the logits at the last
     * new position of each sequence, in the caller's order, as a native {@code (batch, vocab)} array for a
     * {@link Sampler} (close it after sampling). Projections and the MLP run once over all new tokens of the
     * batch; attention runs per sequence against its own cache (or as one masked batch for small decode caches).
     */
    public StepLogits forwardLogits(List<KvCache> caches, List<int[]> newTokens) {
        checkOpen();
        return decoder.forward(caches, newTokens);
    }

    /** As {@link #forwardLogits}, with the logits copied into Java: {@code float[batch][vocab]}. */
    public float[][] forward(List<KvCache> caches, List<int[]> newTokens) {
        try (StepLogits logits = forwardLogits(caches, newTokens)) {
            return logits.toArrays();
        }
    }

    /**
     * Logits at the last position of {@code tokens}, recomputed from scratch: {@link #forward} over the whole
     * sequence with a fresh cache (what a preempted or re-prefilled sequence costs).
     */
    public float[] logitsWithoutCache(int[] tokens) {
        checkOpen();
        if (tokens.length == 0 || tokens.length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("need 1.." + config.maxPositionEmbeddings() + " tokens, got "
                    + tokens.length);
        }
        try (KvCache cache = newCache()) {
            return forward(List.of(cache), List.of(tokens))[0];
        }
    }

    /** Logits at the last position through the full-sequence (training) path: the tests' independent oracle. */
    float[] fullSequenceLogits(int[] tokens) {
        checkOpen();
        return scorer.lastLogits(tokens);
    }

    /**
     * Log-probabilities of each next token under the model, for training: {@code (batch, maxLen - 1)} where entry
     * {@code [b][t]} is {@code log p(tokens[b][t+1] | tokens[b][0..t])}. Rows may differ in length; they are
     * right-padded (entries past a row's end are meaningless and must be masked). Records gradients inside a
     * {@code GradientCollector}; the result is attached to {@code manager}.
     */
    public NDArray tokenLogprobs(NDManager manager, int[][] tokens) {
        checkOpen();
        return scorer.tokenLogprobs(manager, tokens);
    }

    /**
     * As {@link #tokenLogprobs}, plus the entropy of each next-token distribution (same shape, no gradient):
     * {@code [logprobs, entropy]}, both attached to {@code manager}.
     */
    public NDArray[] tokenLogprobsAndEntropy(NDManager manager, int[][] tokens) {
        checkOpen();
        return scorer.tokenLogprobsAndEntropy(manager, tokens);
    }

    /**
     * Log-probabilities of each next token, without gradients, as Java arrays: {@code out[b][t] = log p(tokens[b][t+1]
     * | tokens[b][0..t])}, one entry fewer than the row's tokens. For scoring: reference-policy log-probabilities in
     * RL (KL terms), or the prompt log-probabilities of an evaluation.
     */
    public float[][] sequenceLogprobs(int[][] tokens) {
        checkOpen();
        return scorer.sequenceLogprobs(tokens);
    }

    /**
     * Training loss: mean cross-entropy of predicting {@code tokens[b][t]} from the tokens before it, over the
     * positions where {@code lossMask[b][t]} is true (position 0 is never predicted). Rows may differ in length.
     * Records gradients when called inside a {@code GradientCollector}; the scalar is attached to {@code manager}.
     */
    public NDArray trainingLoss(NDManager manager, int[][] tokens, boolean[][] lossMask) {
        checkOpen();
        return scorer.trainingLoss(manager, tokens, lossMask);
    }

    /**
     * The trainable weights (fused projections are single arrays: q/k/v stacked, gate/up stacked). Marks the
     * model as trained, so cached inference constants are rebuilt from the live weights.
     */
    public List<NDArray> parameters() {
        checkOpen();
        layers.markTrainable();
        return weights.parameters();
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} (float32) in Hugging Face layout, plus the tokenizer
     * files of the folder the model came from.
     */
    public void save(Path dir) {
        save(dir, DType.F32);
    }

    /** As {@link #save(Path)}, storing weights as {@code dtype} ("F32" or "BF16"; narrowing happens in Java). */
    public void save(Path dir, String dtype) {
        checkOpen();
        // the tokenizer files always come from the folder the model was loaded from: a training job saves into
        // a temporary folder it then renames, so a previous save's folder is gone by the next checkpoint
        ModelFiles.save(weights, config, directory, dir, dtype);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
    }

    /** Frees the weights, every cache made by this model and any step logits not yet closed. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
