package ai.aster.modeling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The building blocks both forward paths share: the weights, Qwen3's RMSNorm and SwiGLU MLP, the embedding and
 * linear layers, rotary tables and the causal mask. The cached decoder ({@link CachedForward}) and the
 * full-sequence training path ({@link SequenceScorer}) compose them differently.
 */
final class Qwen3Layers {

    final Qwen3Config config;
    final Qwen3Weights weights;
    final RotaryTable rotary;
    final NDArray rotateHalf; // (head_dim, head_dim): x @ rotateHalf == rotate_half(x)
    private final NDArray epsilon; // () rms_norm_eps, a tensor so adding it is one native call
    private final NDArray minusHalf; // () -0.5
    /** Derived inference constants; rebuilt when the weights may have changed (after training use). */
    private NDArray[] qkNorm; // per layer (q_heads + kv_heads, head_dim): q_norm * head_dim^-0.5, then k_norm
    private boolean trainable;

    Qwen3Layers(Qwen3Config config, Qwen3Weights weights, NDManager manager) {
        this.config = config;
        this.weights = weights;
        this.rotary = new RotaryTable(config.headDim(), config.ropeTheta());
        this.rotateHalf = manager.create(FloatBuffer.wrap(RotaryTable.rotateHalfMatrix(config.headDim())),
                new Shape(config.headDim(), config.headDim()));
        this.epsilon = manager.create((float) config.rmsNormEps());
        this.minusHalf = manager.create(-0.5f);
    }

    /** SwiGLU: down_proj(silu(gate_proj(x)) * up_proj(x)), gate and up from one fused matmul. */
    NDArray mlp(NDArray h, Qwen3Weights.Layer w) {
        int inter = config.intermediateSize();
        NDArray gateUp = linear(h, w.wGateUp(), null); // (..., 2*intermediate)
        NDList parts = gateUp.split(new long[] {inter}, gateUp.getShape().dimension() - 1);
        NDArray gate = parts.get(0);
        NDArray up = parts.get(1);
        NDArray act = gate.mul(Activation.sigmoid(gate)).mul(up); // silu(gate) * up
        return linear(act, w.wDown(), null);
    }

    /** Hugging Face Qwen3RMSNorm: x * rsqrt(mean(x^2, -1) + eps) * weight, in float32. */
    NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray inv = x.square().mean(new int[] {-1}, true).add(epsilon).pow(minusHalf);
        return x.mul(inv).mul(weight);
    }

    NDArray embed(NDArray ids) {
        return Embedding.embedding(ids, weights.embed, SparseFormat.DENSE).singletonOrThrow();
    }

    /** model.norm then lm_head: hidden states to logits. */
    NDArray logits(NDArray hidden) {
        return linear(rmsNorm(hidden, weights.finalNorm), weights.lmHead, null);
    }

    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /** cos and sin tables (n, 1, head_dim) for the given positions. */
    NDArray[] rotaryTables(NDManager manager, int[] positions) {
        int headDim = config.headDim();
        int n = positions.length;
        float[] cosData = new float[n * headDim];
        float[] sinData = new float[n * headDim];
        rotary.fill(positions, cosData, sinData);
        return new NDArray[] {manager.create(FloatBuffer.wrap(cosData), new Shape(n, 1, headDim)),
                manager.create(FloatBuffer.wrap(sinData), new Shape(n, 1, headDim))};
    }

    /** Additive mask (n, past + n): query t may see keys 0..past+t. */
    static NDArray causalMask(NDManager manager, int past, int n) {
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
    NDArray[] inferenceQkNorm() {
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

    /** From now on the weights may change in place: derived constants are rebuilt per step. */
    void markTrainable() {
        trainable = true;
    }
}
