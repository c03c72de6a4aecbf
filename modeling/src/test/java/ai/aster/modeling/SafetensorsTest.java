package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.modeling.io.Checkpoint;
import ai.aster.modeling.io.DType;
import ai.aster.modeling.io.FloatTensor;
import ai.aster.modeling.io.SafetensorsFile;
import ai.aster.modeling.io.SafetensorsWriter;
import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    static FloatTensor random(long rows, long cols, long seed) {
        Random r = new Random(seed);
        float[] d = new float[(int) (rows * cols)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian() * (i % 7 == 0 ? 1e-30f : 1f);
        }
        return new FloatTensor(new long[] {rows, cols}, d);
    }

    static void assertBitExact(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "element " + i);
        }
    }

    @Test
    void f32WriteAndReadBackBitExact() {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", random(7, 5, 1));
        tensors.put("b", new FloatTensor(new long[] {3}, new float[] {-0f, Float.MIN_VALUE, Float.MAX_VALUE}));
        Path file = dir.resolve("t.safetensors");
        SafetensorsWriter.write(file, tensors, DType.F32, Map.of("note", "test"));
        SafetensorsFile read = SafetensorsFile.open(file);
        assertEquals(List.of("a.weight", "b"), List.copyOf(read.names()));
        assertEquals("test", read.metadata().get("note"));
        for (var e : tensors.entrySet()) {
            FloatTensor back = read.read(e.getKey());
            assertArrayEquals(e.getValue().shape(), back.shape());
            assertBitExact(e.getValue().data(), back.data());
        }
        // the header is 8-byte aligned as the format requires
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            ch.read(len);
        } catch (java.io.IOException ex) {
            throw new RuntimeException(ex);
        }
        assertEquals(0, len.flip().getLong() % 8);
    }

    @Test
    void bf16IsWidenedInJavaExactly() {
        float[] values = {1f, -2.5f, 0.1f, 3.14159f, 1e-20f, 65504f};
        Path file = dir.resolve("b.safetensors");
        SafetensorsWriter.write(file, Map.of("x", new FloatTensor(new long[] {6}, values)), DType.BF16, Map.of());
        SafetensorsFile read = SafetensorsFile.open(file);
        assertEquals("BF16", read.entry("x").dtype());
        byte[] raw = read.rawBytes("x");
        assertEquals(12, raw.length);
        float[] widened = read.read("x").data();
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            short bits = b.getShort();
            assertEquals(Float.intBitsToFloat((bits & 0xFFFF) << 16), widened[i]);
            assertEquals(values[i], widened[i], Math.abs(values[i]) / 128); // bf16 keeps 8 significant bits
        }
        assertEquals(1f, widened[0]);
        assertEquals(-2.5f, widened[1]);
    }

    @Test
    void modelSavedAndReloadedIsBitExactAndDecodesIdentically() {
        Path src = dir.resolve("src");
        ModelInit.write(src, ModelInit.Options.defaults().withTieWordEmbeddings(false));
        Path out = dir.resolve("saved");
        int[] prompt = {1, 2, 3, 200, 258, 17};
        float[] before;
        try (Qwen3Model model = Qwen3Model.load(src, Device.cpu())) {
            before = model.logitsWithoutCache(prompt);
            model.save(out);
        }
        SafetensorsFile a = SafetensorsFile.open(src.resolve("model.safetensors"));
        SafetensorsFile b = SafetensorsFile.open(out.resolve("model.safetensors"));
        assertEquals(new java.util.TreeSet<>(a.names()), new java.util.TreeSet<>(b.names()));
        for (String name : a.names()) {
            assertArrayEquals(a.rawBytes(name), b.rawBytes(name), name);
        }
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")), "tokenizer files travel with the weights");
        assertEquals(Qwen3Config.read(src.resolve("config.json")), Qwen3Config.read(out.resolve("config.json")));
        try (Qwen3Model model = Qwen3Model.load(out, Device.cpu())) {
            assertBitExact(before, model.logitsWithoutCache(prompt));
        }
    }

    @Test
    void bf16CheckpointLoadsWithoutDjlBf16() {
        Path bf16 = dir.resolve("bf16");
        ModelInit.write(bf16, ModelInit.Options.defaults().withDtype("bf16"));
        SafetensorsFile file = SafetensorsFile.open(bf16.resolve("model.safetensors"));
        assertEquals("BF16", file.entry("model.embed_tokens.weight").dtype());
        Path widened = dir.resolve("widened");
        try (Qwen3Model model = Qwen3Model.load(bf16, Device.cpu())) {
            float[] logits = model.logitsWithoutCache(new int[] {5, 6, 7});
            for (float v : logits) {
                assertTrue(Float.isFinite(v));
            }
            model.save(widened); // F32: the widened values exactly
        }
        SafetensorsFile f32 = SafetensorsFile.open(widened.resolve("model.safetensors"));
        for (String name : file.names()) {
            ByteBuffer raw = ByteBuffer.wrap(file.rawBytes(name)).order(ByteOrder.LITTLE_ENDIAN);
            float[] saved = f32.read(name).data();
            for (float v : saved) {
                assertEquals(Float.intBitsToFloat((raw.getShort() & 0xFFFF) << 16), v, name);
            }
        }
    }

    @Test
    void shardedCheckpointLoadsThroughItsIndex() throws Exception {
        Path src = dir.resolve("single");
        ModelInit.write(src, ModelInit.Options.defaults());
        Path sharded = dir.resolve("sharded");
        Files.createDirectories(sharded);
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(src.resolve(f), sharded.resolve(f));
        }
        SafetensorsFile all = SafetensorsFile.open(src.resolve("model.safetensors"));
        Map<String, FloatTensor> first = new LinkedHashMap<>();
        Map<String, FloatTensor> second = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        int i = 0;
        for (String name : all.names()) {
            boolean one = i++ % 2 == 0;
            (one ? first : second).put(name, all.read(name));
            map.put(name, one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        SafetensorsWriter.write(sharded.resolve("model-00001-of-00002.safetensors"), first, DType.F32, Map.of());
        SafetensorsWriter.write(sharded.resolve("model-00002-of-00002.safetensors"), second, DType.F32, Map.of());
        json.writeValue(sharded.resolve("model.safetensors.index.json").toFile(), index);
        assertEquals(all.names().size(), Checkpoint.open(sharded).names().size());
        int[] prompt = {9, 8, 7, 6};
        try (Qwen3Model a = Qwen3Model.load(src, Device.cpu()); Qwen3Model b = Qwen3Model.load(sharded, Device.cpu())) {
            assertBitExact(a.logitsWithoutCache(prompt), b.logitsWithoutCache(prompt));
        }
    }

    @Test
    void brokenCheckpointsAreRefusedWithAReason() throws Exception {
        Path src = dir.resolve("ok");
        ModelInit.write(src, ModelInit.Options.defaults());
        Path wrong = dir.resolve("wrong");
        ModelInit.write(wrong, ModelInit.Options.defaults());
        // a config that disagrees with the weights' shapes
        String config = Files.readString(wrong.resolve("config.json")).replace("\"hidden_size\" : 64", "\"hidden_size\" : 32");
        Files.writeString(wrong.resolve("config.json"), config);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Qwen3Model.load(wrong, Device.cpu()));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
        Path truncated = dir.resolve("truncated");
        ModelInit.write(truncated, ModelInit.Options.defaults());
        byte[] bytes = Files.readAllBytes(truncated.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(IllegalArgumentException.class, () -> Qwen3Model.load(truncated, Device.cpu()));
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        assertThrows(RuntimeException.class, () -> Qwen3Model.load(empty, Device.cpu()));
    }
}
