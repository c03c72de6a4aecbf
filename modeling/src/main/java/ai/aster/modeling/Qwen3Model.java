package ai.aster.modeling;

import ai.aster.modeling.io.Checkpoint;
import ai.aster.modeling.io.DType;
import ai.aster.modeling.io.SafetensorsWriter;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Qwen3 decoder on DJL's PyTorch engine: RMSNorm, rotary embeddings (Hugging Face rotate-half), grouped-query
 * attention with per-head q/k RMSNorm, SwiGLU MLP; float32 weights on one device.
 *
 * <p>Not thread-safe: one engine thread owns the model and its caches (PyTorch's grad mode is per thread, and
 * forward steps mutate caches). Inference runs with grad mode off; {@link #trainingLoss} records gradients when
 * called inside a {@code GradientCollector}.
 */
public final class Qwen3Model implements AutoCloseable {

    /** The files besides the weights that {@link #save} copies from the source folder when present. */
    private static final List<String> SIDE_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "generation_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "chat_template.jinja");

    /** Query rows per attention block in prefill: bounds the score matrix to (heads, 512, L) floats. */
    private static final int QUERY_BLOCK = 512;
    /**
     * Largest per-layer copy of stacked caches that a decode step makes on the CPU to run attention as one padded
     * batch; beyond it (long contexts, where attention compute dominates anyway) attention runs per sequence.
     */
    private static final long STACKED_DECODE_BYTES = 16L << 20;
    /** The same on a GPU, where copying is cheap next to the kernel launches of per-sequence attention. */
    private static final long STACKED_DECODE_BYTES_GPU = 256L << 20;

    private final Qwen3Config config;
    private final Device device;
    private final NDManager manager;
    private final Qwen3Weights weights;
    private final RotaryTable rotary;
    private final NDArray rotateHalf; // (head_dim, head_dim): x @ rotateHalf == rotate_half(x)
    private final NDArray epsilon; // () rms_norm_eps, a tensor so adding it is one native call
    private final NDArray minusHalf; // () -0.5
    private Path directory;
    /** Derived inference constants; rebuilt when the weights may have changed (after training use). */
    private NDArray[] qkNorm; // per layer (q_heads + kv_heads, head_dim): q_norm * head_dim^-0.5, then k_norm
    private boolean trainable;
    private boolean closed;
    private long stackedDecodeBytes;

    private Qwen3Model(Qwen3Config config, Device device, NDManager manager, Qwen3Weights weights, Path directory) {
        this.config = config;
        this.device = device;
        this.manager = manager;
        this.weights = weights;
        this.directory = directory;
        this.rotary = new RotaryTable(config.headDim(), config.ropeTheta());
        this.rotateHalf = manager.create(FloatBuffer.wrap(RotaryTable.rotateHalfMatrix(config.headDim())),
                new Shape(config.headDim(), config.headDim()));
        this.stackedDecodeBytes = device.isGpu() ? STACKED_DECODE_BYTES_GPU : STACKED_DECODE_BYTES;
        this.epsilon = manager.create((float) config.rmsNormEps());
        this.minusHalf = manager.create(-0.5f);
    }

    /** Loads {@code config.json} and the (possibly sharded) safetensors of a Hugging Face Qwen3 checkpoint. */
    public static Qwen3Model load(Path modelDir, Device device) {
        Qwen3Config config = Qwen3Config.read(modelDir.resolve("config.json"));
        Checkpoint ckpt = Checkpoint.open(modelDir);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            Qwen3Weights weights = Qwen3Weights.load(ckpt, config, manager);
            return new Qwen3Model(config, device, manager, weights, modelDir);
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

    /** The folder the weights came from or were last saved to. */
    public Path directory() {
        return directory;
    }

    NDManager manager() {
        return manager;
    }

    /** Tests force one decode-attention path: 0 = always per sequence, Long.MAX_VALUE = always stacked. */
    void setStackedDecodeBytes(long bytes) {
        this.stackedDecodeBytes = bytes;
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
     * new position of each sequence: {@code float[batch][vocab]}. Projections and the MLP run once over all new
     * tokens of the batch; attention runs per sequence against its own cache.
     */
    public float[][] forward(List<KvCache> caches, List<int[]> newTokens) {
        checkOpen();
        int batch = caches.size();
        if (batch == 0 || newTokens.size() != batch) {
            throw new IllegalArgumentException("forward needs one token chunk per cache, got " + caches.size()
                    + " caches and " + newTokens.size() + " chunks");
        }
        Map<KvCache, Boolean> seen = new IdentityHashMap<>();
        int total = 0;
        for (int i = 0; i < batch; i++) {
            KvCache cache = caches.get(i);
            int[] chunk = newTokens.get(i);
            if (cache.owner() != this) {
                throw new IllegalArgumentException("cache " + i + " belongs to another model");
            }
            cache.checkOpen();
            if (seen.put(cache, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("cache " + i + " appears twice in one step");
            }
            if (chunk == null || chunk.length == 0) {
                throw new IllegalArgumentException("sequence " + i + " has no new tokens");
            }
            if (cache.length() + chunk.length > config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("sequence " + i + " would hold " + (cache.length() + chunk.length)
                        + " tokens, the model supports " + config.maxPositionEmbeddings());
            }
            for (int t : chunk) {
                if (t < 0 || t >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + t + " outside the vocabulary (0.."
                            + (config.vocabSize() - 1) + ")");
                }
            }
            total += chunk.length;
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            for (int i = 0; i < batch; i++) {
                caches.get(i).ensureCapacity(caches.get(i).length() + newTokens.get(i).length);
            }
            // decodes run first, grouped by cache capacity (see runSteps): order the sequences so, and put the
            // logits back in the caller's order at the end
            Integer[] order = new Integer[batch];
            for (int i = 0; i < batch; i++) {
                order[i] = i;
            }
            if (batch > 1) {
                Arrays.sort(order, (a, b) -> {
                    boolean da = newTokens.get(a).length == 1;
                    boolean db = newTokens.get(b).length == 1;
                    if (da != db) {
                        return da ? -1 : 1;
                    }
                    return da ? Integer.compare(caches.get(a).capacity(), caches.get(b).capacity()) : 0;
                });
            }
            List<KvCache> orderedCaches = new ArrayList<>(batch);
            List<int[]> orderedTokens = new ArrayList<>(batch);
            for (int i : order) {
                orderedCaches.add(caches.get(i));
                orderedTokens.add(newTokens.get(i));
            }
            float[] logits = runSteps(step, orderedCaches, orderedTokens, total);
            for (int i = 0; i < batch; i++) {
                caches.get(i).advance(newTokens.get(i).length);
            }
            int vocab = config.vocabSize();
            float[][] out = new float[batch][];
            for (int i = 0; i < batch; i++) {
                out[order[i]] = Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab);
            }
            return out;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** The decoder over the packed new tokens of all sequences; returns (batch * vocab) logits, row-major. */
    private float[] runSteps(NDManager step, List<KvCache> caches, List<int[]> newTokens, int total) {
        Qwen3Config c = config;
        int batch = caches.size();
        int heads = c.numAttentionHeads();
        int kvHeads = c.numKeyValueHeads();
        int headDim = c.headDim();
        int group = c.groupSize();
        long[] ids = new long[total]; // (total)
        int[] positions = new int[total]; // (total)
        int[] offsets = new int[batch + 1]; // row where each sequence's new tokens start in the packed batch
        boolean allDecode = true;
        for (int i = 0, at = 0; i < batch; i++) {
            int[] chunk = newTokens.get(i);
            int past = caches.get(i).length();
            offsets[i] = at;
            for (int t = 0; t < chunk.length; t++, at++) {
                ids[at] = chunk[t];
                positions[at] = past + t;
            }
            allDecode &= chunk.length == 1;
        }
        offsets[batch] = total;
        float[] cosData = new float[total * headDim];
        float[] sinData = new float[total * headDim];
        rotary.fill(positions, cosData, sinData);
        NDArray cos = step.create(FloatBuffer.wrap(cosData), new Shape(total, 1, headDim)); // (total, 1, head_dim)
        NDArray sin = step.create(FloatBuffer.wrap(sinData), new Shape(total, 1, headDim)); // (total, 1, head_dim)
        NDArray[] qkNormWeights = inferenceQkNorm();

        // embed: model.embed_tokens.weight
        NDArray x = embed(step.create(ids)); // (total, hidden)
        long[] splitPoints = new long[batch - 1]; // where each sequence's rows start in the packed batch
        for (int i = 1; i < batch; i++) {
            splitPoints[i - 1] = offsets[i];
        }
        int decodes = 0; // leading sequences that add one token
        while (decodes < batch && newTokens.get(decodes).length == 1) {
            decodes++;
        }
        NDArray[] stackedMasks = decodes > 1 ? stackedDecodeMasks(step, caches.subList(0, decodes)) : null;
        for (int l = 0; l < weights.layers.length; l++) {
            Qwen3Weights.Layer w = weights.layers[l];
            // attention block: input_layernorm, fused q/k/v projection
            NDArray h = rmsNorm(x, w.inputNorm()); // (total, hidden)
            NDArray qkv = linear(h, w.wqkv(), w.bqkv()).reshape(total, heads + 2L * kvHeads, headDim);
            NDArray qk = TensorOps.slice(qkv, 1, 0, heads + kvHeads); // (total, heads+kv, d)
            NDArray v = TensorOps.slice(qkv, 1, heads + kvHeads, heads + 2L * kvHeads); // (total, kv, d)
            // q_norm / k_norm per head (q pre-scaled by head_dim^-0.5), then rotary on q and k together
            qk = rmsNorm(qk, qkNormWeights[l]);
            qk = qk.mul(cos).add(qk.matMul(rotateHalf).mul(sin)); // (total, heads+kv, d)
            NDArray q = TensorOps.slice(qk, 1, 0, heads); // (total, heads, d)
            NDArray kT = TensorOps.slice(qk, 1, heads, heads + kvHeads).transpose(1, 2, 0); // (kv, d, total)
            NDArray vT = v.transpose(1, 0, 2); // (kv, total, d)
            // per-sequence pieces in one native call each
            NDList kParts = batch == 1 ? new NDList(kT) : kT.split(splitPoints, 2); // (kv, d, n_i)
            NDList vParts = batch == 1 ? new NDList(vT) : vT.split(splitPoints, 1); // (kv, n_i, d)
            // decodes first (caller's order sorted them so), as one padded batch when their caches are small
            List<NDArray> pieces = new ArrayList<>(); // (rows, heads*d) in sequence order
            int firstPerSequence = 0;
            if (stackedMasks != null) {
                NDArray qd = (decodes == total ? q : TensorOps.slice(q, 0, 0, decodes))
                        .reshape(decodes, kvHeads, group, headDim); // (decodes, kv, group, d)
                NDArray[] keys = new NDArray[decodes];
                NDArray[] values = new NDArray[decodes];
                for (int i = 0; i < decodes; i++) {
                    KvCache cache = caches.get(i);
                    int past = cache.length();
                    keys[i] = cache.keys(l); // (kv, d, capacity)
                    values[i] = cache.values(l); // (kv, capacity, d)
                    TensorOps.assign(keys[i], 2, past, past + 1, kParts.get(i));
                    TensorOps.assign(values[i], 1, past, past + 1, vParts.get(i));
                }
                NDArray[] outs = new NDArray[stackedMasks.length];
                for (int g = 0, start = 0; g < stackedMasks.length; g++) {
                    int end = start + (int) stackedMasks[g].getShape().get(0);
                    NDArray k = NDArrays.stack(new NDList(Arrays.copyOfRange(keys, start, end))); // (bg, kv, d, cap)
                    NDArray vv = NDArrays.stack(new NDList(Arrays.copyOfRange(values, start, end))); // (bg, kv, cap, d)
                    NDArray qg = end - start == decodes ? qd : TensorOps.slice(qd, 0, start, end); // (bg, kv, g, d)
                    outs[g] = qg.matMul(k).add(stackedMasks[g]).softmax(-1).matMul(vv); // (bg, kv, group, d)
                    start = end;
                }
                pieces.add((outs.length == 1 ? outs[0] : NDArrays.concat(new NDList(outs)))
                        .reshape(decodes, (long) heads * headDim));
                firstPerSequence = decodes;
            }
            if (firstPerSequence < batch) {
                NDList qParts = batch == 1 ? new NDList(q) : q.split(splitPoints, 0); // (n_i, heads, d)
                for (int i = firstPerSequence; i < batch; i++) {
                    KvCache cache = caches.get(i);
                    int past = cache.length();
                    int n = offsets[i + 1] - offsets[i];
                    int len = past + n;
                    NDArray keys = cache.keys(l); // (kv, d, capacity)
                    NDArray values = cache.values(l); // (kv, capacity, d)
                    TensorOps.assign(keys, 2, past, len, kParts.get(i));
                    TensorOps.assign(values, 1, past, len, vParts.get(i));
                    NDArray k = TensorOps.slice(keys, 2, 0, len); // (kv, d, L)
                    NDArray vv = TensorOps.slice(values, 1, 0, len); // (kv, L, d)
                    if (n == 1) {
                        NDArray qi = qParts.get(i).reshape(kvHeads, group, headDim); // (kv, group, d)
                        pieces.add(qi.matMul(k).softmax(-1).matMul(vv).reshape(1, (long) heads * headDim));
                        continue;
                    }
                    NDArray qi = qParts.get(i).reshape(n, kvHeads, group, headDim)
                            .transpose(1, 2, 0, 3); // (kv, group, n, d)
                    NDArray k4 = k.expandDims(1); // (kv, 1, d, L)
                    NDArray v4 = vv.expandDims(1); // (kv, 1, L, d)
                    // queries in blocks, so a long prompt never materialises an (n, L) score matrix per head
                    NDArray[] blocks = new NDArray[(n + QUERY_BLOCK - 1) / QUERY_BLOCK];
                    for (int b = 0; b < blocks.length; b++) {
                        int q0 = b * QUERY_BLOCK;
                        int q1 = Math.min(n, q0 + QUERY_BLOCK);
                        int visible = past + q1; // keys this block can see at most
                        NDArray qb = blocks.length == 1 ? qi : TensorOps.slice(qi, 2, q0, q1); // (kv, g, nb, d)
                        NDArray kb = visible == len ? k4 : TensorOps.slice(k4, 3, 0, visible); // (kv, 1, d, Lb)
                        NDArray vb = visible == len ? v4 : TensorOps.slice(v4, 2, 0, visible); // (kv, 1, Lb, d)
                        NDArray scores = qb.matMul(kb) // (kv, group, nb, Lb)
                                .add(causalMask(step, past + q0, q1 - q0)); // (nb, Lb) broadcast
                        blocks[b] = scores.softmax(-1).matMul(vb); // (kv, group, nb, d)
                    }
                    NDArray o = blocks.length == 1 ? blocks[0] : NDArrays.concat(new NDList(blocks), 2);
                    pieces.add(o.transpose(2, 0, 1, 3).reshape(n, (long) heads * headDim)); // (n, heads*d)
                }
            }
            NDArray attention = pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(new NDList(pieces)); // (total, heads*d)
            // self_attn.o_proj, residual
            x = x.add(linear(attention, w.wo(), w.bo()));
            // MLP block: post_attention_layernorm, fused gate/up, SiLU(gate) * up, down_proj, residual
            x = x.add(mlp(rmsNorm(x, w.postNorm()), w));
        }
        NDArray last = x;
        if (!allDecode) {
            long[] lastRows = new long[batch];
            for (int i = 0; i < batch; i++) {
                lastRows[i] = offsets[i + 1] - 1;
            }
            last = x.get(step.create(lastRows)); // (batch, hidden)
        }
        // model.norm, lm_head
        NDArray logits = linear(rmsNorm(last, weights.finalNorm), weights.lmHead, null); // (batch, vocab)
        return logits.toFloatArray();
    }

    /**
     * For a decode batch whose caches are small enough to copy cheaply, the additive masks of the padded attention:
     * one (bg, 1, 1, capacity) array per run of equal capacities (caches arrive sorted by capacity); position j of
     * sequence i is visible when j <= its length (the new token included). Null when the caches are too large,
     * which selects the per-sequence path.
     */
    private NDArray[] stackedDecodeMasks(NDManager step, List<KvCache> caches) {
        long positions = 0;
        for (KvCache c : caches) {
            positions += c.capacity();
        }
        long bytesPerLayer = positions * config.numKeyValueHeads() * config.headDim() * Float.BYTES * 2L;
        if (bytesPerLayer > stackedDecodeBytes) {
            return null;
        }
        List<NDArray> masks = new ArrayList<>();
        int start = 0;
        while (start < caches.size()) {
            int capacity = caches.get(start).capacity();
            int end = start;
            while (end < caches.size() && caches.get(end).capacity() == capacity) {
                end++;
            }
            float[] m = new float[(end - start) * capacity];
            for (int i = start; i < end; i++) {
                int visible = caches.get(i).length() + 1;
                Arrays.fill(m, (i - start) * capacity + visible, (i - start + 1) * capacity, Float.NEGATIVE_INFINITY);
            }
            masks.add(step.create(FloatBuffer.wrap(m), new Shape(end - start, 1, 1, capacity)));
            start = end;
        }
        return masks.toArray(new NDArray[0]);
    }

    /** Logits at the last position of {@code tokens}, recomputing the whole sequence without any cache. */
    public float[] logitsWithoutCache(int[] tokens) {
        checkOpen();
        if (tokens.length == 0 || tokens.length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("need 1.." + config.maxPositionEmbeddings() + " tokens, got "
                    + tokens.length);
        }
        long[] ids = new long[tokens.length];
        for (int t = 0; t < tokens.length; t++) {
            if (tokens[t] < 0 || tokens[t] >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + tokens[t] + " outside the vocabulary");
            }
            ids[t] = tokens[t];
        }
        // the full-sequence (training) path: independent of the cache code, so tests can compare the two
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope(); NDManager work = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            NDArray idArray = work.create(ids, new Shape(1, tokens.length));
            return fullSequenceLogits(work, idArray, 1, tokens.length, true).toFloatArray();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * Log-probabilities of each next token under the model, for training: {@code (batch, maxLen - 1)} where entry
     * {@code [b][t]} is {@code log p(tokens[b][t+1] | tokens[b][0..t])}. Rows may differ in length; they are
     * right-padded (entries past a row's end are meaningless and must be masked). Records gradients inside a
     * {@code GradientCollector}; the result is attached to {@code manager}.
     */
    public NDArray tokenLogprobs(NDManager manager, int[][] tokens) {
        checkOpen();
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no sequences");
        }
        int batch = tokens.length;
        int len = 0;
        for (int[] row : tokens) {
            if (row.length < 2) {
                throw new IllegalArgumentException("each training sequence needs at least 2 tokens");
            }
            len = Math.max(len, row.length);
        }
        if (len > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence of " + len + " tokens exceeds the model's "
                    + config.maxPositionEmbeddings());
        }
        long[] ids = new long[batch * len]; // (batch, len), right-padded with token 0
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens[b].length; t++) {
                int id = tokens[b][t];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary");
                }
                ids[b * len + t] = id;
            }
        }
        NDManager work = this.manager.newSubManager(device);
        try {
            NDArray idArray = work.create(ids, new Shape(batch, len));
            NDArray logits = fullSequenceLogits(work, idArray, batch, len, false); // (batch, len, vocab)
            NDArray targets = idArray.get(new NDIndex().addAllDim().addSliceDim(1, len)).expandDims(-1); // (b, len-1, 1)
            NDArray logp = logits.get(new NDIndex().addAllDim().addSliceDim(0, len - 1)).logSoftmax(-1)
                    .gather(targets, -1).squeeze(-1); // (batch, len-1)
            logp.attach(manager);
            return logp;
        } finally {
            work.close();
        }
    }

    /**
     * Log-probabilities of each next token, without gradients, as Java arrays: {@code out[b][t] = log p(tokens[b][t+1]
     * | tokens[b][0..t])}, one entry fewer than the row's tokens. For scoring: reference-policy log-probabilities in
     * RL (KL terms), or the prompt log-probabilities of an evaluation.
     */
    public float[][] sequenceLogprobs(int[][] tokens) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager work = manager.newSubManager()) {
            NDArray logp = tokenLogprobs(work, tokens); // (batch, maxLen - 1)
            int width = (int) logp.getShape().get(1);
            float[] flat = logp.toFloatArray();
            float[][] out = new float[tokens.length][];
            for (int b = 0; b < tokens.length; b++) {
                out[b] = Arrays.copyOfRange(flat, b * width, b * width + tokens[b].length - 1);
            }
            return out;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * Training loss: mean cross-entropy of predicting {@code tokens[b][t]} from the tokens before it, over the
     * positions where {@code lossMask[b][t]} is true (position 0 is never predicted). Rows may differ in length.
     * Records gradients when called inside a {@code GradientCollector}; the scalar is attached to {@code manager}.
     */
    public NDArray trainingLoss(NDManager manager, int[][] tokens, boolean[][] lossMask) {
        if (lossMask.length != tokens.length) {
            throw new IllegalArgumentException("one loss mask row per sequence");
        }
        int len = 0;
        for (int[] row : tokens) {
            len = Math.max(len, row.length);
        }
        float[] mask = new float[tokens.length * (len - 1)]; // (batch, len-1): target t+1 counts
        int counted = 0;
        for (int b = 0; b < tokens.length; b++) {
            if (lossMask[b].length != tokens[b].length) {
                throw new IllegalArgumentException("loss mask row " + b + " differs in length from its tokens");
            }
            for (int t = 1; t < tokens[b].length; t++) {
                if (lossMask[b][t]) {
                    mask[b * (len - 1) + t - 1] = 1f;
                    counted++;
                }
            }
        }
        if (counted == 0) {
            throw new IllegalArgumentException("the loss mask selects no token");
        }
        NDArray logp = tokenLogprobs(manager, tokens); // (batch, len-1)
        // on the model's device, whatever device the caller's manager uses
        NDArray m = manager.create(FloatBuffer.wrap(mask), new Shape(tokens.length, len - 1)).toDevice(device, false);
        return logp.mul(m).sum().neg().div(counted);
    }

    /**
     * Full-sequence causal forward without a cache (training, and the recompute baseline): (batch, len) ids to
     * (batch, len, vocab) logits, or (batch, vocab) at the last position when {@code lastOnly}.
     */
    private NDArray fullSequenceLogits(NDManager work, NDArray ids, int batch, int len, boolean lastOnly) {
        Qwen3Config c = config;
        int heads = c.numAttentionHeads();
        int kvHeads = c.numKeyValueHeads();
        int headDim = c.headDim();
        int group = c.groupSize();
        int[] positions = new int[len];
        for (int t = 0; t < len; t++) {
            positions[t] = t;
        }
        float[] cosData = new float[len * headDim];
        float[] sinData = new float[len * headDim];
        rotary.fill(positions, cosData, sinData);
        NDArray cos = work.create(FloatBuffer.wrap(cosData), new Shape(len, 1, headDim)); // (len, 1, d)
        NDArray sin = work.create(FloatBuffer.wrap(sinData), new Shape(len, 1, headDim));
        NDArray mask = causalMask(work, 0, len); // (len, len)
        NDArray rot = rotateHalf.duplicate();
        rot.attach(work);
        double scale = 1.0 / Math.sqrt(headDim);
        NDArray x = embed(ids); // (batch, len, hidden)
        for (Qwen3Weights.Layer w : weights.layers) {
            NDArray qkv = linear(rmsNorm(x, w.inputNorm()), w.wqkv(), w.bqkv())
                    .reshape(batch, len, heads + 2L * kvHeads, headDim);
            NDArray q = rmsNorm(qkv.get(new NDIndex().addAllDim(2).addSliceDim(0, heads)), w.qNorm())
                    .mul(scale); // (batch, len, heads, d)
            NDArray k = rmsNorm(qkv.get(new NDIndex().addAllDim(2).addSliceDim(heads, heads + kvHeads)), w.kNorm());
            NDArray v = qkv.get(new NDIndex().addAllDim(2).addSliceDim(heads + kvHeads, heads + 2L * kvHeads));
            q = q.mul(cos).add(q.matMul(rot).mul(sin));
            k = k.mul(cos).add(k.matMul(rot).mul(sin)); // (batch, len, kv, d)
            NDArray qg = q.reshape(batch, len, kvHeads, group, headDim).transpose(0, 2, 3, 1, 4); // (b, kv, g, len, d)
            NDArray kg = k.transpose(0, 2, 3, 1).expandDims(2); // (b, kv, 1, d, len)
            NDArray vg = v.transpose(0, 2, 1, 3).expandDims(2); // (b, kv, 1, len, d)
            NDArray o = qg.matMul(kg).add(mask).softmax(-1).matMul(vg); // (b, kv, g, len, d)
            NDArray attention = o.transpose(0, 3, 1, 2, 4).reshape(batch, len, (long) heads * headDim);
            x = x.add(linear(attention, w.wo(), w.bo()));
            x = x.add(mlp(rmsNorm(x, w.postNorm()), w));
        }
        if (lastOnly) {
            x = x.get(new NDIndex().addAllDim().addSliceDim(len - 1, len)).reshape(batch, config.hiddenSize()); // (batch, hidden)
        }
        return linear(rmsNorm(x, weights.finalNorm), weights.lmHead, null);
    }

    /** SwiGLU: down_proj(silu(gate_proj(x)) * up_proj(x)), gate and up from one fused matmul. */
    private NDArray mlp(NDArray h, Qwen3Weights.Layer w) {
        int inter = config.intermediateSize();
        NDArray gateUp = linear(h, w.wGateUp(), null); // (..., 2*intermediate)
        NDList parts = gateUp.split(new long[] {inter}, gateUp.getShape().dimension() - 1);
        NDArray gate = parts.get(0);
        NDArray up = parts.get(1);
        NDArray act = gate.mul(Activation.sigmoid(gate)).mul(up); // silu(gate) * up
        return linear(act, w.wDown(), null);
    }

    /** Hugging Face Qwen3RMSNorm: x * rsqrt(mean(x^2, -1) + eps) * weight, in float32. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray inv = x.square().mean(new int[] {-1}, true).add(epsilon).pow(minusHalf);
        return x.mul(inv).mul(weight);
    }

    private NDArray embed(NDArray ids) {
        return Embedding.embedding(ids, weights.embed, SparseFormat.DENSE).singletonOrThrow();
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /** Additive mask (n, past + n): query t may see keys 0..past+t. */
    private static NDArray causalMask(NDManager manager, int past, int n) {
        int len = past + n;
        float[] m = new float[n * len];
        for (int t = 0; t < n; t++) {
            Arrays.fill(m, t * len + past + t + 1, (t + 1) * len, Float.NEGATIVE_INFINITY);
        }
        return manager.create(FloatBuffer.wrap(m), new Shape(n, len));
    }

    /**
     * Per layer, q_norm (times head_dim^-0.5, the attention scale, so scores need no extra op) stacked above
     * k_norm, broadcast per head: (heads + kv_heads, head_dim). Cached; rebuilt each step once the model is used
     * for training, since optimizer steps change the norms in place.
     */
    private NDArray[] inferenceQkNorm() {
        if (qkNorm != null && !trainable) {
            return qkNorm;
        }
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        double scale = 1.0 / Math.sqrt(config.headDim());
        NDArray[] out = new NDArray[weights.layers.length];
        for (int l = 0; l < out.length; l++) {
            Qwen3Weights.Layer w = weights.layers[l];
            NDArray q = w.qNorm().mul(scale).expandDims(0).repeat(0, heads);
            NDArray k = w.kNorm().expandDims(0).repeat(0, kvHeads);
            out[l] = q.concat(k, 0);
            if (!trainable) {
                // kept for the model's lifetime: outside any step scope
                NDScope.unregister(out[l]);
            }
        }
        if (!trainable) {
            qkNorm = out;
        }
        return out;
    }

    private void markTrainable() {
        trainable = true;
    }

    /**
     * The trainable weights (fused projections are single arrays: q/k/v stacked, gate/up stacked). Marks the
     * model as trained, so cached inference constants are rebuilt from the live weights.
     */
    public List<NDArray> parameters() {
        checkOpen();
        markTrainable();
        return weights.parameters();
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} (float32) in Hugging Face layout, plus the tokenizer
     * files of the folder the model came from. Files are written then moved into place.
     */
    public void save(Path dir) {
        save(dir, DType.F32);
    }

    /** As {@link #save(Path)}, storing weights as {@code dtype} ("F32" or "BF16"; narrowing happens in Java). */
    public void save(Path dir, String dtype) {
        checkOpen();
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
            if (directory != null && !directory.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
                for (String f : SIDE_FILES) {
                    Path src = directory.resolve(f);
                    if (Files.isRegularFile(src)) {
                        Files.copy(src, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            directory = dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save model to " + dir, e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
    }

    /** Frees the weights and every cache made by this model. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
