package ai.aster.modeling;

import ai.aster.modeling.io.DType;
import ai.aster.modeling.io.FloatTensor;
import ai.aster.modeling.io.SafetensorsWriter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a randomly initialised Qwen3 model with its own byte-level tokenizer, in Hugging Face layout:
 * {@code config.json}, {@code model.safetensors}, {@code tokenizer.json}, {@code tokenizer_config.json}.
 *
 * <pre>ModelInit DIR [--hidden N] [--layers N] [--heads N] [--kv-heads N] [--head-dim N] [--intermediate N]
 *           [--max-position N] [--rope-theta X] [--seed N] [--dtype f32|bf16] [--untied]
 *           [--merges N --corpus FILE | --tokenizer TDIR [--vocab-size N]]</pre>
 *
 * With {@code --tokenizer}, the model gets an existing Hugging Face tokenizer instead of its own byte-level one
 * ({@code tokenizer.json} and {@code tokenizer_config.json} copied from TDIR, e.g. Qwen3's real 151,669-token
 * tokenizer) and an embedding of {@code --vocab-size} rows (default: the tokenizer's size; Qwen3 pads to 151,936).
 *
 * Defaults: {@link Options#defaults()}; {@code --head-dim} defaults to hidden/heads and {@code --intermediate} to
 * 3 x hidden when {@code --hidden} is given (hidden 512, 8 layers, 8 heads, 2 KV heads is about 24M parameters).
 *
 * Everything happens in Java (no DJL), so it is fast and can write bf16. Weights are drawn from N(0, 0.02) like
 * Hugging Face's {@code initializer_range}; norms start at 1.
 */
public final class ModelInit {

    /**
     * The special tokens of the tokenizer, in id order after the 256 byte tokens. {@code <tool_call>} and the
     * like are "not special" in Qwen3's sense (kept when decoding with skip_special_tokens) but are single tokens.
     */
    public static final List<String> SPECIAL_TOKENS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>",
            "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<think>", "</think>");

    private static final int BYTE_TOKENS = 256;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Model dimensions; {@link #defaults()} gives a tiny model that loads and decodes in well under a second.
     *
     * @param dtype "f32" or "bf16": how the weights are stored
     * @param tieWordEmbeddings whether the LM head reuses the embedding (Qwen3-4B ties them)
     */
    public record Options(int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate,
            int maxPosition, long seed, String dtype, double ropeTheta, boolean tieWordEmbeddings) {

        public Options(int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate,
                int maxPosition, long seed, String dtype) {
            this(hidden, layers, heads, kvHeads, headDim, intermediate, maxPosition, seed, dtype, 1_000_000.0, true);
        }

        public static Options defaults() {
            return new Options(64, 2, 4, 2, 16, 128, 4096, 42, "f32");
        }

        /** The benchmark size: about 25M parameters (hidden 512, 8 layers, 8 heads, 2 KV heads). */
        public static Options benchmark() {
            return new Options(512, 8, 8, 2, 64, 1536, 8192, 42, "f32");
        }

        public Options withSeed(long newSeed) {
            return new Options(hidden, layers, heads, kvHeads, headDim, intermediate, maxPosition, newSeed, dtype,
                    ropeTheta, tieWordEmbeddings);
        }

        public Options withDtype(String newDtype) {
            return new Options(hidden, layers, heads, kvHeads, headDim, intermediate, maxPosition, seed, newDtype,
                    ropeTheta, tieWordEmbeddings);
        }

        public Options withTieWordEmbeddings(boolean tie) {
            return new Options(hidden, layers, heads, kvHeads, headDim, intermediate, maxPosition, seed, dtype,
                    ropeTheta, tie);
        }
    }

    private ModelInit() {
    }

    /** Vocabulary size of the generated tokenizer: 256 byte tokens plus the special tokens. */
    public static int vocabSize() {
        return BYTE_TOKENS + SPECIAL_TOKENS.size();
    }

    /** Vocabulary size with {@code merges} learned BPE merges (their tokens come before the special tokens). */
    public static int vocabSize(int merges) {
        return vocabSize() + merges;
    }

    /** The config {@link #write} produces for these options. */
    public static Qwen3Config config(Options o) {
        return config(o, 0);
    }

    private static Qwen3Config config(Options o, int merges) {
        return new Qwen3Config(o.hidden(), o.intermediate(), o.layers(), o.heads(), o.kvHeads(), o.headDim(), 1e-6,
                o.ropeTheta(), vocabSize(merges), o.tieWordEmbeddings(), o.maxPosition(), false,
                BYTE_TOKENS + merges + SPECIAL_TOKENS.indexOf("<|endoftext|>"),
                BYTE_TOKENS + merges + SPECIAL_TOKENS.indexOf("<|im_end|>"));
    }

    /** Writes config.json, model.safetensors, tokenizer.json and tokenizer_config.json into {@code dir}. */
    public static Path write(Path dir, Options options) {
        return write(dir, options, List.of());
    }

    /**
     * As {@link #write(Path, Options)}, with a tokenizer that also has byte-level BPE merges learned from
     * {@code corpus} (up to {@code merges} of them): shorter token sequences for text like the corpus.
     */
    public static Path write(Path dir, Options options, String corpus, int merges) {
        return write(dir, options, ByteLevelBpe.train(corpus, merges));
    }

    private static Path write(Path dir, Options options, List<String[]> merges) {
        String dtype = dtypeName(options);
        Qwen3Config c = config(options, merges.size());
        try {
            Files.createDirectories(dir);
            SafetensorsWriter.write(dir.resolve("model.safetensors"), randomWeights(c, options.seed()), dtype,
                    Map.of("generator", "aster model init"));
            c.write(dir.resolve("config.json"), dtype.equals(DType.BF16) ? "bfloat16" : "float32");
            writeTokenizer(dir, merges);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir, e);
        }
    }

    /**
     * As {@link #write(Path, Options)}, with the tokenizer of {@code tokenizerDir} ({@code tokenizer.json} and
     * {@code tokenizer_config.json}, copied) and a vocabulary of {@code vocabSize} rows (at least the tokenizer's
     * size; 0 = exactly the tokenizer's size). bos/eos ids come from the tokenizer's configured tokens.
     */
    public static Path write(Path dir, Options options, Path tokenizerDir, int vocabSize) {
        Path tokenizerJson = tokenizerDir.resolve("tokenizer.json");
        Path tokenizerConfig = tokenizerDir.resolve("tokenizer_config.json");
        for (Path f : List.of(tokenizerJson, tokenizerConfig)) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("--tokenizer " + tokenizerDir + " has no " + f.getFileName());
            }
        }
        String dtype = dtypeName(options);
        try {
            Map<String, Integer> ids = tokenIds(tokenizerJson);
            int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            int vocab = vocabSize == 0 ? size : vocabSize;
            if (vocab < size) {
                throw new IllegalArgumentException("--vocab-size " + vocabSize + " is smaller than the tokenizer's "
                        + size + " tokens");
            }
            com.fasterxml.jackson.databind.JsonNode config = JSON.readTree(tokenizerConfig.toFile());
            int eos = tokenId(ids, config.path("eos_token"), -1);
            int bos = tokenId(ids, config.path("bos_token"), ids.getOrDefault("<|endoftext|>", eos));
            Qwen3Config c = new Qwen3Config(options.hidden(), options.intermediate(), options.layers(),
                    options.heads(), options.kvHeads(), options.headDim(), 1e-6, options.ropeTheta(), vocab,
                    options.tieWordEmbeddings(), options.maxPosition(), false, bos, eos);
            Files.createDirectories(dir);
            SafetensorsWriter.write(dir.resolve("model.safetensors"), randomWeights(c, options.seed()), dtype,
                    Map.of("generator", "aster model init"));
            c.write(dir.resolve("config.json"), dtype.equals(DType.BF16) ? "bfloat16" : "float32");
            Files.copy(tokenizerJson, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(tokenizerConfig, dir.resolve("tokenizer_config.json"), StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir, e);
        }
    }

    /** Every token of a tokenizer.json (model vocabulary and added tokens) by its text. */
    private static Map<String, Integer> tokenIds(Path tokenizerJson) throws IOException {
        com.fasterxml.jackson.databind.JsonNode root = JSON.readTree(tokenizerJson.toFile());
        Map<String, Integer> ids = new java.util.HashMap<>();
        root.path("model").path("vocab").properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
        root.path("added_tokens").forEach(t -> ids.put(t.path("content").asText(), t.path("id").asInt()));
        if (ids.isEmpty()) {
            throw new IllegalArgumentException(tokenizerJson + " holds no vocabulary");
        }
        return ids;
    }

    /** The id of a tokenizer_config token entry (a string or {content: ...}), or {@code otherwise}. */
    private static int tokenId(Map<String, Integer> ids, com.fasterxml.jackson.databind.JsonNode token, int otherwise) {
        String text = token.isTextual() ? token.asText() : token.path("content").asText(null);
        return text != null && ids.containsKey(text) ? ids.get(text) : otherwise;
    }

    private static String dtypeName(Options options) {
        return switch (options.dtype().toLowerCase()) {
            case "f32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("--dtype must be f32 or bf16, got " + options.dtype());
        };
    }

    /** Hugging Face tensor names and shapes for {@code c}, N(0, 0.02) matrices and unit norms, seeded. */
    static Map<String, FloatTensor> randomWeights(Qwen3Config c, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long h = c.hiddenSize();
        long q = c.queryDim();
        long kv = c.keyValueDim();
        long inter = c.intermediateSize();
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", normal(random, c.vocabSize(), h));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            out.put(p + "input_layernorm.weight", ones(h));
            out.put(p + "self_attn.q_proj.weight", normal(random, q, h));
            out.put(p + "self_attn.k_proj.weight", normal(random, kv, h));
            out.put(p + "self_attn.v_proj.weight", normal(random, kv, h));
            out.put(p + "self_attn.q_norm.weight", ones(c.headDim()));
            out.put(p + "self_attn.k_norm.weight", ones(c.headDim()));
            out.put(p + "self_attn.o_proj.weight", normal(random, h, q));
            out.put(p + "post_attention_layernorm.weight", ones(h));
            out.put(p + "mlp.gate_proj.weight", normal(random, inter, h));
            out.put(p + "mlp.up_proj.weight", normal(random, inter, h));
            out.put(p + "mlp.down_proj.weight", normal(random, h, inter));
        }
        out.put("model.norm.weight", ones(h));
        if (!c.tieWordEmbeddings()) {
            out.put("lm_head.weight", normal(random, c.vocabSize(), h));
        }
        return out;
    }

    private static FloatTensor normal(SplittableRandom random, long rows, long cols) {
        float[] data = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < data.length; i += 2) {
            // Box-Muller: two normals per pair of uniforms
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1)) * 0.02;
            data[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < data.length) {
                data[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return new FloatTensor(new long[] {rows, cols}, data);
    }

    private static FloatTensor ones(long n) {
        float[] data = new float[Math.toIntExact(n)];
        java.util.Arrays.fill(data, 1f);
        return new FloatTensor(new long[] {n}, data);
    }

    /**
     * GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest to code points from 256 up, so
     * every byte is one visible character (what the ByteLevel pre-tokenizer and decoder expect).
     */
    static char[] byteToUnicode() {
        char[] map = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int next = 256;
        for (int b = 0; b < 256; b++) {
            map[b] = direct[b] ? (char) b : (char) next++;
        }
        return map;
    }

    /**
     * Byte-level BPE: 256 byte tokens, then the merged tokens (none unless a corpus was given), then the special
     * tokens as added tokens. Hugging Face tokenizers numbers added tokens after the model's vocabulary whatever
     * ids the file gives them, so the ids must be contiguous in this order.
     */
    static void writeTokenizer(Path dir, List<String[]> merges) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", BYTE_TOKENS + merges.size() + i);
            t.put("content", SPECIAL_TOKENS.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", isControl(SPECIAL_TOKENS.get(i)));
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", false);
        pre.put("use_regex", true);
        root.putNull("post_processor");
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", false);
        decoder.put("trim_offsets", false);
        decoder.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] map = byteToUnicode();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(map[b]), b);
        }
        ArrayNode mergeList = model.putArray("merges");
        int next = BYTE_TOKENS;
        for (String[] pair : merges) {
            vocab.put(pair[0] + pair[1], next++);
            mergeList.add(pair[0] + " " + pair[1]);
        }
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);

        ObjectNode config = JSON.createObjectNode();
        config.put("add_bos_token", false);
        config.put("add_prefix_space", false);
        ObjectNode decoderMap = config.putObject("added_tokens_decoder");
        for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
            ObjectNode t = decoderMap.putObject(String.valueOf(BYTE_TOKENS + merges.size() + i));
            t.put("content", SPECIAL_TOKENS.get(i));
            t.put("lstrip", false);
            t.put("normalized", false);
            t.put("rstrip", false);
            t.put("single_word", false);
            t.put("special", isControl(SPECIAL_TOKENS.get(i)));
        }
        ArrayNode additional = config.putArray("additional_special_tokens");
        additional.add("<|im_start|>").add("<|im_end|>");
        config.putNull("bos_token");
        config.put("chat_template", qwen3ChatTemplate());
        config.put("clean_up_tokenization_spaces", false);
        config.put("eos_token", "<|im_end|>");
        config.put("errors", "replace");
        config.put("model_max_length", 131072);
        config.put("pad_token", "<|endoftext|>");
        config.put("split_special_tokens", false);
        config.put("tokenizer_class", "Qwen2Tokenizer");
        config.putNull("unk_token");
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    }

    /** Qwen3 marks only the ChatML and end-of-text tokens as special; tool and think tags are plain added tokens. */
    private static boolean isControl(String token) {
        return token.startsWith("<|");
    }

    /** Qwen3's Jinja chat template (the one Qwen3-4B ships), as a string. */
    public static String qwen3ChatTemplate() {
        try (InputStream in = ModelInit.class.getResourceAsStream("qwen3_chat_template.jinja")) {
            if (in == null) {
                throw new IllegalStateException("qwen3_chat_template.jinja missing from the modeling jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        try {
            Path dir = run(args);
            Qwen3Config c = Qwen3Config.read(dir.resolve("config.json"));
            System.out.printf("wrote %s: Qwen3 %,d parameters (hidden %d, %d layers, %d heads, %d kv heads, head_dim %d,"
                    + " intermediate %d, vocab %d)%n", dir, c.parameterCount(), c.hiddenSize(), c.numHiddenLayers(),
                    c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.intermediateSize(), c.vocabSize());
        } catch (RuntimeException e) {
            System.err.println("model init: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Parses the command line ({@code DIR [options]}) and writes the model; returns the folder. */
    public static Path run(String... args) {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new IllegalArgumentException("usage: ModelInit DIR [--hidden N] [--layers N] [--heads N]"
                    + " [--kv-heads N] [--head-dim N] [--intermediate N] [--max-position N] [--rope-theta X]"
                    + " [--seed N] [--dtype f32|bf16] [--untied] [--merges N --corpus FILE]"
                    + " [--tokenizer DIR [--vocab-size N]]");
        }
        Path dir = Path.of(args[0]);
        Options d = Options.defaults();
        int hidden = d.hidden();
        int layers = d.layers();
        int heads = d.heads();
        int kvHeads = d.kvHeads();
        Integer headDim = null;
        Integer intermediate = null;
        int maxPosition = d.maxPosition();
        long seed = d.seed();
        String dtype = d.dtype();
        double theta = d.ropeTheta();
        boolean tie = d.tieWordEmbeddings();
        int merges = 0;
        Path corpus = null;
        Path tokenizer = null;
        int vocabSize = 0;
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--untied")) {
                tie = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String v = args[++i];
            try {
                switch (flag) {
                    case "--hidden" -> hidden = Integer.parseInt(v);
                    case "--layers" -> layers = Integer.parseInt(v);
                    case "--heads" -> heads = Integer.parseInt(v);
                    case "--kv-heads" -> kvHeads = Integer.parseInt(v);
                    case "--head-dim" -> headDim = Integer.parseInt(v);
                    case "--intermediate" -> intermediate = Integer.parseInt(v);
                    case "--max-position" -> maxPosition = Integer.parseInt(v);
                    case "--rope-theta" -> theta = Double.parseDouble(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--dtype" -> dtype = v;
                    case "--merges" -> merges = Integer.parseInt(v);
                    case "--corpus" -> corpus = Path.of(v);
                    case "--tokenizer" -> tokenizer = Path.of(v);
                    case "--vocab-size" -> vocabSize = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs a number, got '" + v + "'");
            }
        }
        Options o = new Options(hidden, layers, heads, kvHeads,
                headDim != null ? headDim : hidden == d.hidden() && heads == d.heads() ? d.headDim() : hidden / heads,
                intermediate != null ? intermediate : hidden == d.hidden() ? d.intermediate() : 3 * hidden,
                maxPosition, seed, dtype, theta, tie);
        if (merges > 0 && corpus == null) {
            throw new IllegalArgumentException("--merges needs --corpus FILE (the text to learn them from)");
        }
        if (tokenizer != null && (merges > 0 || corpus != null)) {
            throw new IllegalArgumentException("--tokenizer brings its own vocabulary: drop --merges/--corpus");
        }
        if (vocabSize != 0 && tokenizer == null) {
            throw new IllegalArgumentException("--vocab-size needs --tokenizer DIR");
        }
        if (tokenizer != null) {
            return write(dir, o, tokenizer, vocabSize);
        }
        if (corpus == null) {
            return write(dir, o);
        }
        try {
            return write(dir, o, Files.readString(corpus), merges);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read corpus " + corpus + ": " + e.getMessage());
        }
    }
}
