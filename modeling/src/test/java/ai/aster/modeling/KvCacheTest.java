package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Growth by need, and byte accounting a scheduler can do before a cache grows. */
class KvCacheTest {

    @TempDir
    static Path dir;

    @Test
    void capacityGrowsByPowersOfTwoThenLinearlyAndNeverBeyondTheContext() {
        assertEquals(0, KvCache.capacityFor(0, 4096));
        assertEquals(64, KvCache.capacityFor(1, 4096));
        assertEquals(64, KvCache.capacityFor(64, 4096));
        assertEquals(128, KvCache.capacityFor(65, 4096));
        assertEquals(512, KvCache.capacityFor(300, 4096));
        assertEquals(1024, KvCache.capacityFor(513, 4096));
        assertEquals(1536, KvCache.capacityFor(1025, 4096));
        assertEquals(4096, KvCache.capacityFor(4000, 4096));
        assertEquals(3000, KvCache.capacityFor(2900, 3000), "capped at the context");
        assertEquals(40, KvCache.capacityFor(33, 40));
    }

    @Test
    void aCacheHoldsExactlyTheBytesAccountedForItsLength() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        try (Qwen3Model model = Qwen3Model.load(dir, Device.cpu()); KvCache cache = model.newCache()) {
            Qwen3Config c = model.config();
            assertEquals(0, cache.sizeBytes(), "nothing is allocated before the first step");
            int length = 0;
            for (int chunk : new int[] {10, 60, 1, 500, 1}) {
                int[] tokens = new int[chunk];
                java.util.Arrays.fill(tokens, 7);
                model.forward(List.of(cache), List.of(tokens));
                length += chunk;
                assertEquals(KvCache.bytesFor(c, length), cache.sizeBytes(), "after " + length + " tokens");
            }
            try (KvCache copy = cache.copyPrefix(100)) {
                assertEquals(KvCache.bytesFor(c, 100), copy.sizeBytes());
            }
            assertEquals(2L * c.numHiddenLayers() * c.numKeyValueHeads() * c.headDim() * 4,
                    KvCache.bytesPerPosition(c));
        }
    }
}
