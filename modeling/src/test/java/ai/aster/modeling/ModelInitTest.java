package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.modeling.io.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelInitTest {

    @TempDir
    Path dir;

    @Test
    void commandLineSetsTheDimensions() {
        Path out = ModelInit.run(dir.resolve("m").toString(), "--hidden", "96", "--layers", "3", "--heads", "6",
                "--kv-heads", "2", "--max-position", "1024", "--dtype", "bf16", "--untied", "--seed", "7");
        Qwen3Config c = Qwen3Config.read(out.resolve("config.json"));
        assertEquals(96, c.hiddenSize());
        assertEquals(3, c.numHiddenLayers());
        assertEquals(6, c.numAttentionHeads());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(16, c.headDim()); // hidden / heads
        assertEquals(288, c.intermediateSize()); // 3 x hidden
        assertEquals(1024, c.maxPositionEmbeddings());
        assertEquals(ModelInit.vocabSize(), c.vocabSize());
        assertFalse(c.tieWordEmbeddings());
        SafetensorsFile weights = SafetensorsFile.open(out.resolve("model.safetensors"));
        assertEquals("BF16", weights.entry("lm_head.weight").dtype());
        assertEquals(3 * 11 + 3, weights.names().size()); // 11 per layer + embed, norm, lm_head
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
    }

    @Test
    void bpeMergesFromACorpusShortenTextAndStillRoundTrip() throws Exception {
        String corpus = ("The answer is \\boxed{42}. Let me compute the sum of the first n integers: n(n+1)/2.\n"
                + "def solve(n):\n    return n * (n + 1) // 2\nprint(solve(10))\n").repeat(20);
        Path corpusFile = dir.resolve("corpus.txt");
        Files.writeString(corpusFile, corpus);
        Path out = ModelInit.run(dir.resolve("bpe").toString(), "--merges", "60", "--corpus", corpusFile.toString());
        Qwen3Config c = Qwen3Config.read(out.resolve("config.json"));
        assertEquals(ModelInit.vocabSize(60), c.vocabSize());
        try (Tokenizer tokenizer = Tokenizer.load(out)) {
            assertEquals(c.vocabSize(), tokenizer.vocabSize());
            String text = "The answer is \\boxed{42}.\ndef solve(n):\n    return n";
            int[] ids = tokenizer.encode(text);
            assertTrue(ids.length < text.length() * 0.6, ids.length + " tokens for " + text.length() + " bytes");
            assertEquals(text, tokenizer.decode(ids));
            // the corpus repeats "42", "10" and "(n+1)": digits still stay one token each
            assertEquals(4, tokenizer.encode(" 4210").length - tokenizer.encode(" ").length);
            String other = "Ünïcödé 中文 🎉 <tool_call>\n{\"x\": 1}</tool_call><|im_end|>";
            assertEquals(other, tokenizer.decode(tokenizer.encode(other)));
            assertEquals(256 + 60 + 2, tokenizer.tokenId("<|im_end|>").orElseThrow()); // after the merged tokens
            assertEquals(List.of(256 + 60 + 2), java.util.Arrays.stream(tokenizer.encode("<|im_end|>")).boxed().toList());
            try (Qwen3Model model = Qwen3Model.load(out, ai.djl.Device.cpu())) {
                assertEquals(c.vocabSize(), model.logitsWithoutCache(ids).length);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ModelInit.run(dir.resolve("x").toString(), "--merges", "5"));
    }

    @Test
    void sameSeedSameWeights() throws Exception {
        Path a = ModelInit.run(dir.resolve("a").toString(), "--seed", "3");
        Path b = ModelInit.run(dir.resolve("b").toString(), "--seed", "3");
        Path c = ModelInit.run(dir.resolve("c").toString(), "--seed", "4");
        byte[] wa = Files.readAllBytes(a.resolve("model.safetensors"));
        assertEquals(java.util.Arrays.hashCode(wa), java.util.Arrays.hashCode(Files.readAllBytes(b.resolve("model.safetensors"))));
        assertFalse(java.util.Arrays.equals(wa, Files.readAllBytes(c.resolve("model.safetensors"))));
    }

    @Test
    void badOptionsAreRefusedWithAReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelInit.run(dir.toString(), "--bogus", "1"));
        assertTrue(e.getMessage().contains("--bogus"));
        assertThrows(IllegalArgumentException.class, () -> ModelInit.run(dir.toString(), "--hidden", "x"));
        assertThrows(IllegalArgumentException.class, () -> ModelInit.run(dir.toString(), "--heads", "3", "--kv-heads", "2"));
        assertThrows(IllegalArgumentException.class, () -> ModelInit.run(dir.toString(), "--dtype", "f8"));
        assertThrows(IllegalArgumentException.class, () -> ModelInit.run());
    }

    @Test
    void anExistingTokenizerSetsTheVocabularyAndIsCopied() throws Exception {
        // a Hugging Face tokenizer folder (here ModelInit's own byte-level one, 265 tokens)
        Path tokenizer = ModelInit.run(dir.resolve("tok").toString());
        Path out = ModelInit.run(dir.resolve("real").toString(), "--tokenizer", tokenizer.toString(),
                "--vocab-size", "320", "--hidden", "32", "--heads", "2", "--kv-heads", "1", "--layers", "1");
        Qwen3Config c = Qwen3Config.read(out.resolve("config.json"));
        assertEquals(320, c.vocabSize()); // padded past the tokenizer, as Qwen3 pads 151,669 tokens to 151,936
        assertEquals(ModelInit.vocabSize() - 7, c.eosTokenId()); // <|im_end|> from tokenizer_config.json
        assertEquals(Files.readString(tokenizer.resolve("tokenizer.json")), Files.readString(out.resolve("tokenizer.json")));
        try (Tokenizer t = Tokenizer.load(out); Qwen3Model model = Qwen3Model.load(out, ai.djl.Device.cpu())) {
            assertEquals(320, model.logitsWithoutCache(t.encode("hello <|im_end|>")).length);
        }
        // without --vocab-size the tokenizer's own size
        Path exact = ModelInit.run(dir.resolve("exact").toString(), "--tokenizer", tokenizer.toString());
        assertEquals(ModelInit.vocabSize(), Qwen3Config.read(exact.resolve("config.json")).vocabSize());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> ModelInit.run(
                dir.resolve("small").toString(), "--tokenizer", tokenizer.toString(), "--vocab-size", "100"));
        assertTrue(small.getMessage().contains("smaller than the tokenizer"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelInit.run(dir.resolve("nt").toString(), "--vocab-size", "300"));
        assertThrows(IllegalArgumentException.class, () -> ModelInit.run(dir.resolve("none").toString(), "--tokenizer",
                dir.resolve("missing").toString()));
    }
}
