package ai.aster.modeling;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A Hugging Face {@code tokenizer.json} (through DJL's tokenizers binding, offline) plus the special tokens of
 * {@code tokenizer_config.json}. Encoding adds no BOS/EOS; special-token strings in the text become their ids;
 * decoding keeps special tokens as text, so {@code decode(encode(s)) == s} for byte-level tokenizers. Safe to
 * share between threads (the native tokenizer is immutable).
 */
public final class Tokenizer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(Tokenizer.class.getName());

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> tokenIds; // token string (vocab form or added token) -> id
    private final String[] idToToken; // id -> token string as stored (byte-level form), null for holes
    private final int vocabSize;
    private final int[] eosTokenIds;

    private Tokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> tokenIds, int vocabSize, int[] eos) {
        this.tokenizer = tokenizer;
        this.tokenIds = tokenIds;
        this.vocabSize = vocabSize;
        this.eosTokenIds = eos;
        this.idToToken = new String[vocabSize];
        tokenIds.forEach((t, id) -> idToToken[id] = t);
    }

    /** Loads {@code tokenizer.json} and {@code tokenizer_config.json} (optional) from a model folder. */
    public static Tokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        try {
            JsonNode root = JSON.readTree(file.toFile());
            Map<String, Integer> ids = new HashMap<>();
            root.path("model").path("vocab").properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
            for (JsonNode t : root.path("added_tokens")) {
                ids.put(t.path("content").asText(), t.path("id").asInt());
            }
            HuggingFaceTokenizer hf;
            try (InputStream in = Files.newInputStream(file)) {
                hf = HuggingFaceTokenizer.newInstance(in, Map.of(
                        "addSpecialTokens", "false",
                        "truncation", "false",
                        "padding", "false",
                        "maxLength", String.valueOf(Integer.MAX_VALUE / 2)));
            }
            // the library numbers added tokens after the model vocabulary whatever ids the file states: trust the
            // ids it really produces
            for (JsonNode t : root.path("added_tokens")) {
                String content = t.path("content").asText();
                long[] actual = hf.encode(content, false, false).getIds();
                if (actual.length == 1 && actual[0] != t.path("id").asInt()) {
                    LOG.warning(() -> file + ": added token " + content + " is declared as id " + t.path("id").asInt()
                            + " but the tokenizer gives it id " + actual[0]);
                    ids.put(content, (int) actual[0]);
                }
            }
            int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            Set<Integer> eos = new LinkedHashSet<>();
            for (String name : new String[] {"<|im_end|>", "<|endoftext|>"}) {
                if (ids.containsKey(name)) {
                    eos.add(ids.get(name));
                }
            }
            Path config = modelDir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(config)) {
                JsonNode eosNode = JSON.readTree(config.toFile()).path("eos_token");
                String eosToken = eosNode.isTextual() ? eosNode.asText() : eosNode.path("content").asText(null);
                if (eosToken != null && ids.containsKey(eosToken)) {
                    eos.add(ids.get(eosToken));
                }
            }
            Path generation = modelDir.resolve("generation_config.json");
            if (Files.isRegularFile(generation)) {
                JsonNode g = JSON.readTree(generation.toFile()).path("eos_token_id");
                if (g.isArray()) {
                    g.forEach(n -> eos.add(n.asInt()));
                } else if (g.isInt()) {
                    eos.add(g.asInt());
                }
            }
            return new Tokenizer(hf, ids, size, eos.stream().mapToInt(Integer::intValue).toArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer from " + modelDir, e);
        }
    }

    /** Token ids of {@code text}; no BOS/EOS added; special-token strings in the text map to their ids. */
    public int[] encode(String text) {
        Encoding enc = tokenizer.encode(text, false, false);
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** Text of {@code ids}, special tokens kept as text (so {@code <tool_call>} round-trips). */
    public String decode(int[] ids) {
        if (ids.length == 0) {
            return "";
        }
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize || idToToken[ids[i]] == null) {
                // ids the model can produce but the tokenizer lacks (padded vocabularies) decode to nothing
                return decode(Arrays.stream(ids).filter(this::isKnown).toArray());
            }
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, false);
    }

    private boolean isKnown(int id) {
        return id >= 0 && id < vocabSize && idToToken[id] != null;
    }

    /**
     * One token's text as it decodes on its own (for logprobs and streaming). A byte-level token holding part of a
     * multi-byte character decodes to U+FFFD here; use {@link IncrementalDecoder} to stream text.
     */
    public String tokenText(int id) {
        return isKnown(id) ? tokenizer.decode(new long[] {id}, false) : "";
    }

    /** The token's string as stored in the vocabulary (byte-level form, e.g. {@code "Ġthe"}), or null. */
    public String tokenString(int id) {
        return isKnown(id) ? idToToken[id] : null;
    }

    /** Ids covered by the tokenizer: 0 until this (the model's vocabulary may be larger). */
    public int vocabSize() {
        return vocabSize;
    }

    /** The id of a token given as its vocabulary string or added-token content. */
    public OptionalInt tokenId(String token) {
        Integer id = tokenIds.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Ids that end generation: {@code <|im_end|>} and {@code <|endoftext|>} when present, plus the configured eos. */
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
