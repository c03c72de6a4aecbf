package ai.aster.modeling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inference: one batched forward step over sequences of different lengths, each against its own {@link KvCache}.
 * The new tokens of all sequences are packed into one matrix for the projections and the MLP; attention runs per
 * sequence, or as one masked batch for the decodes of a step whose caches are small.
 */
final class CachedForward {

    /** Query rows per attention block in prefill: bounds the score matrix to (heads, 512, L) floats. */
    private static final int QUERY_BLOCK = 512;
    /**
     * Largest per-layer copy of stacked caches that a decode step makes on the CPU to run attention as one padded
     * batch; beyond it (long contexts, where attention compute dominates anyway) attention runs per sequence.
     */
    private static final long STACKED_DECODE_BYTES = 16L << 20;
    /** The same on a GPU, where copying is cheap next to the kernel launches of per-sequence attention. */
    private static final long STACKED_DECODE_BYTES_GPU = 256L << 20;

    private final Qwen3Model owner;
    private final Qwen3Layers layers;
    private final Qwen3Config config;
    private final NDManager manager;
    private long stackedDecodeBytes;

    CachedForward(Qwen3Model owner, Qwen3Layers layers, NDManager manager, boolean gpu) {
        this.owner = owner;
        this.layers = layers;
        this.config = layers.config;
        this.manager = manager;
        this.stackedDecodeBytes = gpu ? STACKED_DECODE_BYTES_GPU : STACKED_DECODE_BYTES;
    }

    /** Tests force one decode-attention path: 0 = always per sequence, Long.MAX_VALUE = always stacked. */
    void setStackedDecodeBytes(long bytes) {
        this.stackedDecodeBytes = bytes;
    }

    /**
     * One batched forward step over sequences of different lengths: appends {@code newTokens.get(i)} (a prefill
     * chunk of any length >= 1, or one decode token) to {@code caches.get(i)} and returns the logits at the last
     * new position of each sequence, in the caller's order, as a native (batch, vocab) array. Projections and the MLP run once over all new
     * tokens of the batch; attention runs per sequence against its own cache.
     */
    StepLogits forward(List<KvCache> caches, List<int[]> newTokens) {
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
            if (cache.owner() != owner) {
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
            NDArray logits = runSteps(step, orderedCaches, orderedTokens, total);
            for (int i = 0; i < batch; i++) {
                caches.get(i).advance(newTokens.get(i).length);
            }
            // the logits outlive the step's scope and manager: hand them to their own manager
            int[] rowOf = null;
            for (int i = 0; i < batch; i++) {
                if (order[i] != i) {
                    rowOf = new int[batch];
                    for (int j = 0; j < batch; j++) {
                        rowOf[order[j]] = j;
                    }
                    break;
                }
            }
            NDManager out = manager.newSubManager();
            NDScope.unregister(logits);
            logits.attach(out);
            return new StepLogits(out, logits, rowOf);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** The decoder over the packed new tokens of all sequences; returns (batch, vocab) logits. */
    private NDArray runSteps(NDManager step, List<KvCache> caches, List<int[]> newTokens, int total) {
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
        NDArray[] rotaryTables = layers.rotaryTables(step, positions);
        NDArray cos = rotaryTables[0]; // (total, 1, head_dim)
        NDArray sin = rotaryTables[1]; // (total, 1, head_dim)
        NDArray[] qkNormWeights = layers.inferenceQkNorm();
        Qwen3Weights weights = layers.weights;
        NDArray rotateHalf = layers.rotateHalf;

        // embed: model.embed_tokens.weight
        NDArray x = layers.embed(step.create(ids)); // (total, hidden)
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
            NDArray h = layers.rmsNorm(x, w.inputNorm()); // (total, hidden)
            NDArray qkv = Qwen3Layers.linear(h, w.wqkv(), w.bqkv()).reshape(total, heads + 2L * kvHeads, headDim);
            NDArray qk = TensorOps.slice(qkv, 1, 0, heads + kvHeads); // (total, heads+kv, d)
            NDArray v = TensorOps.slice(qkv, 1, heads + kvHeads, heads + 2L * kvHeads); // (total, kv, d)
            // q_norm / k_norm per head (q pre-scaled by head_dim^-0.5), then rotary on q and k together
            qk = layers.rmsNorm(qk, qkNormWeights[l]);
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
                                .add(Qwen3Layers.causalMask(step, past + q0, q1 - q0)); // (nb, Lb) broadcast
                        blocks[b] = scores.softmax(-1).matMul(vb); // (kv, group, nb, d)
                    }
                    NDArray o = blocks.length == 1 ? blocks[0] : NDArrays.concat(new NDList(blocks), 2);
                    pieces.add(o.transpose(2, 0, 1, 3).reshape(n, (long) heads * headDim)); // (n, heads*d)
                }
            }
            NDArray attention = pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(new NDList(pieces)); // (total, heads*d)
            // self_attn.o_proj, residual
            x = x.add(Qwen3Layers.linear(attention, w.wo(), w.bo()));
            // MLP block: post_attention_layernorm, fused gate/up, SiLU(gate) * up, down_proj, residual
            x = x.add(layers.mlp(layers.rmsNorm(x, w.postNorm()), w));
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
        return layers.logits(last); // (batch, vocab)
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
}
