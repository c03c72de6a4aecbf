package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java decoder against an independent float64 numpy implementation of Hugging Face's Qwen3 forward pass
 * ({@code src/test/python/qwen3_reference.py}), run once on models {@code ModelInit} writes (seeded, so the same
 * weights here); its logits are committed in {@code qwen3_reference_logits*.json}. A wrong RoPE direction or base
 * moves these logits by about 0.1, so the 1e-4 tolerance catches architecture mistakes that the Java-against-Java
 * tests could share. Regenerate with {@code python3 qwen3_reference.py MODEL_DIR OUT_JSON} on the same options.
 */
class Qwen3ReferenceTest {

    @TempDir
    Path dir;

    @Test
    void logitsMatchTheNumpyReferenceImplementation() throws Exception {
        // the options the reference was generated with (ModelInit's defaults when it was made)
        check("/qwen3_reference_logits.json", new ModelInit.Options(64, 2, 4, 2, 16, 128, 4096, 42, "f32"));
    }

    /** head_dim 32 with hidden 48 (q width 128 differs from hidden, as in Qwen3-4B), 4 query heads on 1 KV head,
     *  separate LM head, RoPE base 10000. */
    @Test
    void untiedHeadWiderThanHiddenMatchesTheReference() throws Exception {
        check("/qwen3_reference_logits_untied.json",
                new ModelInit.Options(48, 2, 4, 1, 32, 96, 4096, 5, "f32", 10000.0, false));
    }

    private void check(String resource, ModelInit.Options options) throws Exception {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            ref = new ObjectMapper().readTree(in);
        }
        int[] tokens = new int[ref.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = ref.get("tokens").get(i).asInt();
        }
        ModelInit.write(dir, options);
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu()); KvCache cache = model.newCache()) {
            List<float[]> incremental = new ArrayList<>();
            // prefill the first 5 tokens, then decode one by one: logits after every position from 4 on
            incremental.add(model.forward(List.of(cache), List.of(java.util.Arrays.copyOf(tokens, 5)))[0]);
            for (int t = 5; t < tokens.length; t++) {
                incremental.add(model.forward(List.of(cache), List.of(new int[] {tokens[t]}))[0]);
            }
            var positions = ref.get("positions").fields();
            int checked = 0;
            while (positions.hasNext()) {
                var e = positions.next();
                int p = Integer.parseInt(e.getKey());
                float[] full = model.logitsWithoutCache(java.util.Arrays.copyOf(tokens, p + 1));
                assertMatches(e.getValue(), full, "full forward at position " + p);
                if (p >= 4) {
                    assertMatches(e.getValue(), incremental.get(p - 4), "KV-cache decode at position " + p);
                }
                checked++;
            }
            assertEquals(3, checked);
        }
    }

    private static void assertMatches(JsonNode expected, float[] actual, String what) {
        assertEquals(expected.size(), actual.length, what);
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(expected.get(i).asDouble() - actual[i]));
        }
        assertTrue(max < 1e-4, what + ": max difference from the reference " + max);
    }
}
