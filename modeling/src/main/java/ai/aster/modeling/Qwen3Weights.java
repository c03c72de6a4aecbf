package ai.aster.modeling;

import ai.aster.modeling.io.Checkpoint;
import ai.aster.modeling.io.FloatTensor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Qwen3 decoder as DJL arrays, loaded and saved by their Hugging Face names. Projections that
 * read the same input are fused at load time (q/k/v into one matrix, gate/up into another) so a layer runs two
 * matmuls fewer; {@link #toTensors()} splits them back into the Hugging Face layout.
 */
final class Qwen3Weights {

    /** One decoder layer; Hugging Face names are {@code model.layers.{i}.<name>}. */
    record Layer(
            NDArray inputNorm, // (hidden)                    input_layernorm.weight
            NDArray wqkv, // (q + 2*kv, hidden)               self_attn.{q,k,v}_proj.weight stacked by rows
            NDArray bqkv, // (q + 2*kv) or null               self_attn.{q,k,v}_proj.bias when attention_bias
            NDArray qNorm, // (head_dim)                      self_attn.q_norm.weight
            NDArray kNorm, // (head_dim)                      self_attn.k_norm.weight
            NDArray wo, // (hidden, q)                        self_attn.o_proj.weight
            NDArray bo, // (hidden) or null                   self_attn.o_proj.bias when attention_bias
            NDArray postNorm, // (hidden)                     post_attention_layernorm.weight
            NDArray wGateUp, // (2*intermediate, hidden)      mlp.{gate,up}_proj.weight stacked by rows
            NDArray wDown) { // (hidden, intermediate)        mlp.down_proj.weight

        List<NDArray> all() {
            List<NDArray> out = new ArrayList<>(List.of(inputNorm, wqkv, qNorm, kNorm, wo, postNorm, wGateUp, wDown));
            if (bqkv != null) {
                out.add(bqkv);
                out.add(bo);
            }
            return out;
        }
    }

    final Qwen3Config config;
    final NDArray embed; // (vocab, hidden)    model.embed_tokens.weight
    final NDArray finalNorm; // (hidden)       model.norm.weight
    final NDArray lmHead; // (vocab, hidden)   lm_head.weight; the same array as embed when tied
    final Layer[] layers;

    private Qwen3Weights(Qwen3Config config, NDArray embed, NDArray finalNorm, NDArray lmHead, Layer[] layers) {
        this.config = config;
        this.embed = embed;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.layers = layers;
    }

    /** Reads every tensor the config needs from the checkpoint, checking shapes, widened to float32 in Java. */
    static Qwen3Weights load(Checkpoint ckpt, Qwen3Config c, NDManager manager) {
        long h = c.hiddenSize();
        long q = c.queryDim();
        long kv = c.keyValueDim();
        long inter = c.intermediateSize();
        NDArray embed = create(manager, ckpt.read("model.embed_tokens.weight", c.vocabSize(), h));
        NDArray norm = create(manager, ckpt.read("model.norm.weight", h));
        NDArray lmHead = c.tieWordEmbeddings() ? embed
                : create(manager, ckpt.read("lm_head.weight", c.vocabSize(), h));
        Layer[] layers = new Layer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            FloatTensor wq = ckpt.read(p + "self_attn.q_proj.weight", q, h);
            FloatTensor wk = ckpt.read(p + "self_attn.k_proj.weight", kv, h);
            FloatTensor wv = ckpt.read(p + "self_attn.v_proj.weight", kv, h);
            NDArray bqkv = null;
            NDArray bo = null;
            if (c.attentionBias()) {
                bqkv = create(manager, rows(new long[] {q + 2 * kv}, ckpt.read(p + "self_attn.q_proj.bias", q),
                        ckpt.read(p + "self_attn.k_proj.bias", kv), ckpt.read(p + "self_attn.v_proj.bias", kv)));
                bo = create(manager, ckpt.read(p + "self_attn.o_proj.bias", h));
            }
            layers[i] = new Layer(
                    create(manager, ckpt.read(p + "input_layernorm.weight", h)),
                    create(manager, rows(new long[] {q + 2 * kv, h}, wq, wk, wv)),
                    bqkv,
                    create(manager, ckpt.read(p + "self_attn.q_norm.weight", c.headDim())),
                    create(manager, ckpt.read(p + "self_attn.k_norm.weight", c.headDim())),
                    create(manager, ckpt.read(p + "self_attn.o_proj.weight", h, q)),
                    bo,
                    create(manager, ckpt.read(p + "post_attention_layernorm.weight", h)),
                    create(manager, rows(new long[] {2 * inter, h}, ckpt.read(p + "mlp.gate_proj.weight", inter, h),
                            ckpt.read(p + "mlp.up_proj.weight", inter, h))),
                    create(manager, ckpt.read(p + "mlp.down_proj.weight", h, inter)));
        }
        return new Qwen3Weights(c, embed, norm, lmHead, layers);
    }

    /** Concatenates row-major tensors along their first dimension (which is concatenating their data). */
    private static FloatTensor rows(long[] shape, FloatTensor... parts) {
        int n = 0;
        for (FloatTensor t : parts) {
            n += t.data().length;
        }
        float[] out = new float[n];
        int at = 0;
        for (FloatTensor t : parts) {
            System.arraycopy(t.data(), 0, out, at, t.data().length);
            at += t.data().length;
        }
        return new FloatTensor(shape, out);
    }

    private static NDArray create(NDManager manager, FloatTensor t) {
        return manager.create(FloatBuffer.wrap(t.data()), new Shape(t.shape()));
    }

    /** The weights in Hugging Face names and layout (fused matrices split back), copied to Java memory. */
    Map<String, FloatTensor> toTensors() {
        Qwen3Config c = config;
        long h = c.hiddenSize();
        long q = c.queryDim();
        long kv = c.keyValueDim();
        long inter = c.intermediateSize();
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", tensor(embed));
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            String p = "model.layers." + i + ".";
            out.put(p + "input_layernorm.weight", tensor(l.inputNorm()));
            out.put(p + "self_attn.q_proj.weight", tensor(l.wqkv().get(new NDIndex().addSliceDim(0, q))));
            out.put(p + "self_attn.k_proj.weight", tensor(l.wqkv().get(new NDIndex().addSliceDim(q, q + kv))));
            out.put(p + "self_attn.v_proj.weight", tensor(l.wqkv().get(new NDIndex().addSliceDim(q + kv, q + 2 * kv))));
            if (l.bqkv() != null) {
                out.put(p + "self_attn.q_proj.bias", tensor(l.bqkv().get(new NDIndex().addSliceDim(0, q))));
                out.put(p + "self_attn.k_proj.bias", tensor(l.bqkv().get(new NDIndex().addSliceDim(q, q + kv))));
                out.put(p + "self_attn.v_proj.bias", tensor(l.bqkv().get(new NDIndex().addSliceDim(q + kv, q + 2 * kv))));
                out.put(p + "self_attn.o_proj.bias", tensor(l.bo()));
            }
            out.put(p + "self_attn.q_norm.weight", tensor(l.qNorm()));
            out.put(p + "self_attn.k_norm.weight", tensor(l.kNorm()));
            out.put(p + "self_attn.o_proj.weight", tensor(l.wo()));
            out.put(p + "post_attention_layernorm.weight", tensor(l.postNorm()));
            out.put(p + "mlp.gate_proj.weight", tensor(l.wGateUp().get(new NDIndex().addSliceDim(0, inter))));
            out.put(p + "mlp.up_proj.weight", tensor(l.wGateUp().get(new NDIndex().addSliceDim(inter, 2 * inter))));
            out.put(p + "mlp.down_proj.weight", tensor(l.wDown()));
        }
        out.put("model.norm.weight", tensor(finalNorm));
        if (!c.tieWordEmbeddings()) {
            out.put("lm_head.weight", tensor(lmHead));
        }
        return out;
    }

    private static FloatTensor tensor(NDArray a) {
        // slices of a fused matrix are views: reading them copies exactly the rows they cover
        try (NDArray detached = a.stopGradient()) {
            return new FloatTensor(a.getShape().getShape(), detached.toFloatArray());
        }
    }

    /** Every trainable array once (the tied LM head is the embedding). */
    List<NDArray> parameters() {
        List<NDArray> out = new ArrayList<>();
        out.add(embed);
        for (Layer l : layers) {
            out.addAll(l.all());
        }
        out.add(finalNorm);
        if (lmHead != embed) {
            out.add(lmHead);
        }
        return out;
    }
}
