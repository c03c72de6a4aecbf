package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.modeling.io.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
