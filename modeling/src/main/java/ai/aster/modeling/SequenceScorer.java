package ai.aster.modeling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Training and scoring: the full-sequence causal forward without a cache, over a right-padded (batch, len)
 * block, and what is built on it: next-token log-probabilities with gradients, the same as Java arrays for
 * scoring, and the masked cross-entropy loss. Independent of the cached decoder, so tests compare the two.
 */
final class SequenceScorer {

    /**
     * Query rows per causal attention block. A block of queries only scores the keys up to its own last position:
     * at 512 tokens, blocks of 128 skip 3/8 of the score matrix that a full (len, len) product would compute and
     * then mask out (the work and the largest temporaries of attention), with the same result up to rounding.
     */
    static final int ATTENTION_BLOCK = 128;

    private final Qwen3Layers layers;
    private final Qwen3Config config;
    private final NDManager manager;
    private int attentionBlock = ATTENTION_BLOCK;

    SequenceScorer(Qwen3Layers layers, NDManager manager) {
        this.layers = layers;
        this.config = layers.config;
        this.manager = manager;
    }

    /** Tests compare block sizes: Integer.MAX_VALUE = one (len, len) product. */
    void setAttentionBlock(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("attention block must be >= 1 row");
        }
        this.attentionBlock = rows;
    }

    /** Logits at the last position of {@code tokens} through the full-sequence path (tests' independent oracle). */
    float[] lastLogits(int[] tokens) {
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
    NDArray tokenLogprobs(NDManager manager, int[][] tokens) {
        return score(manager, tokens, false)[0];
    }

    /**
     * As {@link #tokenLogprobs}, plus the entropy of each next-token distribution, {@code (batch, maxLen - 1)},
     * without gradient (a training metric; it reuses the log-softmax the log-probs need).
     */
    NDArray[] tokenLogprobsAndEntropy(NDManager manager, int[][] tokens) {
        return score(manager, tokens, true);
    }

    private NDArray[] score(NDManager manager, int[][] tokens, boolean withEntropy) {
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
        NDManager work = this.manager.newSubManager();
        try {
            // embedding and gather keep the ids for backward, which runs after this manager is closed
            NDArray idArray = TensorOps.owned(work.create(ids, new Shape(batch, len)));
            NDArray logits = fullSequenceLogits(work, idArray, batch, len, false); // (batch, len, vocab)
            NDArray targets = idArray.get(new NDIndex().addAllDim().addSliceDim(1, len)).expandDims(-1); // (b, len-1, 1)
            NDArray logSoftmax = logits.get(new NDIndex().addAllDim().addSliceDim(0, len - 1)).logSoftmax(-1);
            NDArray logp = logSoftmax.gather(targets, -1).squeeze(-1); // (batch, len-1)
            logp.attach(manager);
            // gather's backward reads the index tensor, whose memory the id array's buffer owns: it must outlive
            // this method (the caller's manager), or a later backward reads freed memory ("index 1398... is out of
            // bounds", seen intermittently on the training thread)
            idArray.attach(manager);
            targets.attach(manager);
            if (!withEntropy) {
                return new NDArray[] {logp};
            }
            NDArray detached = logSoftmax.stopGradient();
            NDArray entropy = detached.exp().mul(detached).sum(new int[] {-1}).neg(); // (batch, len-1)
            entropy.attach(manager);
            return new NDArray[] {logp, entropy};
        } finally {
            work.close();
        }
    }

    /**
     * Log-probabilities of each next token, without gradients, as Java arrays: {@code out[b][t] = log p(tokens[b][t+1]
     * | tokens[b][0..t])}, one entry fewer than the row's tokens. For scoring: reference-policy log-probabilities in
     * RL (KL terms), or the prompt log-probabilities of an evaluation.
     */
    float[][] sequenceLogprobs(int[][] tokens) {
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
    NDArray trainingLoss(NDManager manager, int[][] tokens, boolean[][] lossMask) {
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
        // on the model's device, whatever device the caller's manager uses; PyTorch's memory, as backward reads it
        NDArray m = TensorOps.owned(manager.create(FloatBuffer.wrap(mask), new Shape(tokens.length, len - 1))
                .toDevice(this.manager.getDevice(), false));
        return logp.mul(m).sum().neg().div(m.getManager().full(new Shape(), (float) counted));
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
        NDArray[] rotaryTables = layers.rotaryTables(work, positions);
        // mul keeps cos and sin for backward: in PyTorch's memory (TensorOps.owned), as the mask and the scale
        NDArray cos = TensorOps.owned(rotaryTables[0]); // (len, 1, d)
        NDArray sin = TensorOps.owned(rotaryTables[1]);
        NDArray mask = TensorOps.owned(Qwen3Layers.causalMask(work, 0, len)); // (len, len)
        NDArray rot = layers.rotateHalf.duplicate();
        rot.attach(work);
        NDArray scale = work.full(new Shape(), (float) (1.0 / Math.sqrt(headDim)));
        NDArray x = layers.embed(ids); // (batch, len, hidden)
        for (Qwen3Weights.Layer w : layers.weights.layers) {
            NDArray qkv = Qwen3Layers.linear(layers.rmsNorm(x, w.inputNorm()), w.wqkv(), w.bqkv())
                    .reshape(batch, len, heads + 2L * kvHeads, headDim);
            NDArray q = layers.rmsNorm(qkv.get(new NDIndex().addAllDim(2).addSliceDim(0, heads)), w.qNorm())
                    .mul(scale); // (batch, len, heads, d)
            NDArray k = layers.rmsNorm(qkv.get(new NDIndex().addAllDim(2).addSliceDim(heads, heads + kvHeads)), w.kNorm());
            NDArray v = qkv.get(new NDIndex().addAllDim(2).addSliceDim(heads + kvHeads, heads + 2L * kvHeads));
            q = q.mul(cos).add(q.matMul(rot).mul(sin));
            k = k.mul(cos).add(k.matMul(rot).mul(sin)); // (batch, len, kv, d)
            NDArray qg = q.reshape(batch, len, kvHeads, group, headDim).transpose(0, 2, 3, 1, 4); // (b, kv, g, len, d)
            NDArray kg = k.transpose(0, 2, 3, 1).expandDims(2); // (b, kv, 1, d, len)
            NDArray vg = v.transpose(0, 2, 1, 3).expandDims(2); // (b, kv, 1, len, d)
            NDArray o = causalAttention(qg, kg, vg, mask, len); // (b, kv, g, len, d)
            NDArray attention = o.transpose(0, 3, 1, 2, 4).reshape(batch, len, (long) heads * headDim);
            x = x.add(Qwen3Layers.linear(attention, w.wo(), w.bo()));
            x = x.add(layers.mlp(layers.rmsNorm(x, w.postNorm()), w));
        }
        if (lastOnly) {
            x = x.get(new NDIndex().addAllDim().addSliceDim(len - 1, len)).reshape(batch, config.hiddenSize()); // (batch, hidden)
        }
        return layers.logits(x);
    }

    /**
     * softmax(q k^T + mask) v over blocks of {@link #attentionBlock} query rows, each against the keys up to its
     * last row (later keys are masked for all of its rows): q (b, kv, g, len, d), k (b, kv, 1, d, len), v (b, kv,
     * 1, len, d), mask (len, len) to (b, kv, g, len, d).
     */
    private NDArray causalAttention(NDArray q, NDArray k, NDArray v, NDArray mask, int len) {
        if (len <= attentionBlock) {
            return q.matMul(k).add(mask).softmax(-1).matMul(v);
        }
        NDList blocks = new NDList();
        for (int start = 0; start < len; start += attentionBlock) {
            int end = Math.min(len, start + attentionBlock);
            NDArray qBlock = q.get(new NDIndex().addAllDim(3).addSliceDim(start, end));
            NDArray kBlock = k.get(new NDIndex().addAllDim(4).addSliceDim(0, end));
            NDArray vBlock = v.get(new NDIndex().addAllDim(3).addSliceDim(0, end));
            NDArray maskBlock = mask.get(new NDIndex().addSliceDim(start, end).addSliceDim(0, end));
            blocks.add(qBlock.matMul(kBlock).add(maskBlock).softmax(-1).matMul(vBlock));
        }
        return NDArrays.concat(blocks, 3);
    }
}
