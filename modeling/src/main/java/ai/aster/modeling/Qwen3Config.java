package ai.aster.modeling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The dimensions of a Qwen3 decoder, as Hugging Face writes them in {@code config.json}.
 *
 * @param hiddenSize            width of the residual stream ({@code hidden_size})
 * @param intermediateSize      width of the SwiGLU MLP ({@code intermediate_size})
 * @param numHiddenLayers       decoder layers ({@code num_hidden_layers})
 * @param numAttentionHeads     query heads ({@code num_attention_heads})
 * @param numKeyValueHeads      key/value heads, grouped-query attention ({@code num_key_value_heads})
 * @param headDim               width of one head ({@code head_dim}; Qwen3 sets it explicitly, it need not be
 *                              hidden/heads)
 * @param rmsNormEps            epsilon of every RMSNorm ({@code rms_norm_eps})
 * @param ropeTheta             rotary base ({@code rope_theta})
 * @param vocabSize             rows of the embedding and of the LM head ({@code vocab_size})
 * @param tieWordEmbeddings     the LM head reuses the embedding matrix ({@code tie_word_embeddings})
 * @param maxPositionEmbeddings the context length the model supports ({@code max_position_embeddings})
 * @param attentionBias         q/k/v/o projections carry a bias ({@code attention_bias})
 * @param bosTokenId            {@code bos_token_id}, or -1 when absent
 * @param eosTokenId            {@code eos_token_id} (the first one when a list), or -1 when absent
 */
public record Qwen3Config(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
        int numKeyValueHeads, int headDim, double rmsNormEps, double ropeTheta, int vocabSize,
        boolean tieWordEmbeddings, int maxPositionEmbeddings, boolean attentionBias, int bosTokenId,
        int eosTokenId) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Qwen3Config {
        if (hiddenSize <= 0 || intermediateSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0
                || numKeyValueHeads <= 0 || headDim <= 0 || vocabSize <= 0 || maxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("all dimensions of a Qwen3 config must be positive");
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numAttentionHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
    }

    /** Width of all query heads together: {@code numAttentionHeads * headDim}. */
    public int queryDim() {
        return numAttentionHeads * headDim;
    }

    /** Width of all key (or value) heads together: {@code numKeyValueHeads * headDim}. */
    public int keyValueDim() {
        return numKeyValueHeads * headDim;
    }

    /** Query heads sharing one key/value head. */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Number of weights (tied embeddings counted once). */
    public long parameterCount() {
        long h = hiddenSize;
        long attention = h * (queryDim() + 2L * keyValueDim()) + (long) queryDim() * h + 2L * headDim;
        if (attentionBias) {
            attention += queryDim() + 2L * keyValueDim() + h;
        }
        long mlp = 3L * h * intermediateSize;
        long layer = attention + mlp + 2 * h;
        long embeddings = (long) vocabSize * h * (tieWordEmbeddings ? 1 : 2);
        return numHiddenLayers * layer + embeddings + h;
    }

    /** Reads a Hugging Face {@code config.json}; {@code head_dim} defaults to hidden/heads when absent. */
    public static Qwen3Config read(Path configJson) {
        try {
            JsonNode n = JSON.readTree(configJson.toFile());
            int hidden = required(n, "hidden_size").asInt();
            int heads = required(n, "num_attention_heads").asInt();
            JsonNode scaling = n.path("rope_scaling");
            if (!scaling.isMissingNode() && !scaling.isNull()) {
                // YaRN and friends only matter beyond the trained context; positions here use plain RoPE
                java.util.logging.Logger.getLogger(Qwen3Config.class.getName()).warning(() -> configJson
                        + " asks for rope_scaling " + scaling + "; it is ignored (plain RoPE)");
            }
            if (n.path("use_sliding_window").asBoolean(false)) {
                throw new IllegalArgumentException(configJson + " uses sliding-window attention, which is not supported");
            }
            JsonNode eos = n.path("eos_token_id");
            int eosId = eos.isArray() ? (eos.isEmpty() ? -1 : eos.get(0).asInt()) : eos.asInt(-1);
            return new Qwen3Config(
                    hidden,
                    required(n, "intermediate_size").asInt(),
                    required(n, "num_hidden_layers").asInt(),
                    heads,
                    n.path("num_key_value_heads").asInt(heads),
                    n.hasNonNull("head_dim") ? n.get("head_dim").asInt() : hidden / heads,
                    n.path("rms_norm_eps").asDouble(1e-6),
                    n.path("rope_theta").asDouble(1_000_000.0),
                    required(n, "vocab_size").asInt(),
                    n.path("tie_word_embeddings").asBoolean(false),
                    n.path("max_position_embeddings").asInt(40960),
                    n.path("attention_bias").asBoolean(false),
                    n.path("bos_token_id").asInt(-1),
                    eosId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model config " + configJson, e);
        }
    }

    private static JsonNode required(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("config.json lacks '" + key + "'");
        }
        return v;
    }

    /** Writes {@code config.json} in the Hugging Face layout ({@code Qwen3ForCausalLM}, float32 weights). */
    public void write(Path configJson) {
        write(configJson, "float32");
    }

    /** Writes {@code config.json} declaring {@code torchDtype} ("float32" or "bfloat16") as the weights' type. */
    public void write(Path configJson, String torchDtype) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode arch = n.putArray("architectures");
        arch.add("Qwen3ForCausalLM");
        n.put("model_type", "qwen3");
        n.put("hidden_size", hiddenSize);
        n.put("intermediate_size", intermediateSize);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("num_attention_heads", numAttentionHeads);
        n.put("num_key_value_heads", numKeyValueHeads);
        n.put("head_dim", headDim);
        n.put("hidden_act", "silu");
        n.put("rms_norm_eps", rmsNormEps);
        n.put("rope_theta", ropeTheta);
        n.putNull("rope_scaling");
        n.put("vocab_size", vocabSize);
        n.put("tie_word_embeddings", tieWordEmbeddings);
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("attention_bias", attentionBias);
        n.put("attention_dropout", 0.0);
        n.put("use_cache", true);
        n.put("use_sliding_window", false);
        n.put("torch_dtype", torchDtype);
        if (bosTokenId >= 0) {
            n.put("bos_token_id", bosTokenId);
        }
        if (eosTokenId >= 0) {
            n.put("eos_token_id", eosTokenId);
        }
        try {
            Files.createDirectories(configJson.toAbsolutePath().getParent());
            // written beside and moved into place: a reader (a hot reload) never sees half a file
            Path tmp = configJson.resolveSibling(configJson.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), n);
            Files.move(tmp, configJson, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model config " + configJson, e);
        }
    }
}
