package ai.aster.modeling.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads one {@code .safetensors} file in Java: the JSON header is parsed here and tensor bytes are widened to
 * float32 here, so bf16 never reaches DJL (creating a bf16 tensor aborts the JVM in DJL 0.36).
 *
 * <p>Format: 8-byte little-endian header length, a JSON header {@code {name: {dtype, shape, data_offsets:
 * [begin, end]}, "__metadata__": {...}}}, then the data block the offsets are relative to.
 */
public final class SafetensorsFile {

    /** One tensor's entry in the header. */
    public record Entry(String dtype, long[] shape, long begin, long end) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;
    private final long dataStart;

    private SafetensorsFile(Path path, Map<String, Entry> entries, Map<String, String> metadata, long dataStart) {
        this.path = path;
        this.entries = entries;
        this.metadata = metadata;
        this.dataStart = dataStart;
    }

    /** Parses the header; tensor data is read on demand. */
    public static SafetensorsFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLen = len.flip().getLong();
            if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > ch.size()) {
                throw new IllegalArgumentException(path + " is not a safetensors file (header length "
                        + headerLen + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            long dataLen = ch.size() - 8 - headerLen;
            for (Map.Entry<String, JsonNode> f : root.properties()) {
                if (f.getKey().equals("__metadata__")) {
                    f.getValue().properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode t = f.getValue();
                JsonNode shapeNode = t.get("shape");
                long[] shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong();
                }
                long begin = t.get("data_offsets").get(0).asLong();
                long end = t.get("data_offsets").get(1).asLong();
                if (begin < 0 || end < begin || end > dataLen) {
                    throw new IllegalArgumentException(path + ": tensor " + f.getKey() + " has offsets outside the file");
                }
                entries.put(f.getKey(), new Entry(t.get("dtype").asText(), shape, begin, end));
            }
            return new SafetensorsFile(path, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata), 8 + headerLen);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read safetensors file " + path, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    public Path path() {
        return path;
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(path + " has no tensor " + name);
        }
        return e;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor's raw little-endian bytes, exactly as stored. */
    public byte[] rawBytes(String name) {
        Entry e = entry(name);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(e.end() - e.begin()));
            readFully(ch, buf, dataStart + e.begin());
            return buf.array();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read tensor " + name + " from " + path, ex);
        }
    }

    /** The tensor widened to float32 in Java (F32, BF16 and F16 are supported). */
    public FloatTensor read(String name) {
        Entry e = entry(name);
        long count = 1;
        for (long d : e.shape()) {
            count *= d;
        }
        int width = DType.width(e.dtype());
        if (count * width != e.end() - e.begin()) {
            throw new IllegalArgumentException(path + ": tensor " + name + " has " + (e.end() - e.begin())
                    + " bytes, its shape and dtype need " + count * width);
        }
        float[] out = new float[Math.toIntExact(count)];
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin());
            map.order(ByteOrder.LITTLE_ENDIAN);
            DType.widen(e.dtype(), map, out);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read tensor " + name + " from " + path, ex);
        }
        return new FloatTensor(e.shape().clone(), out);
    }
}
