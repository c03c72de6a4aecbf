package ai.aster.modeling.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes a {@code .safetensors} file from Java memory (no DJL involved, so bf16 output is safe). Tensors are laid
 * out in the map's iteration order; the header is padded with spaces to a multiple of 8 bytes as the format asks.
 * The file is written next to its target and moved into place, so readers never see half a file.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /** @param dtype F32, BF16 or F16: the stored element type of every tensor */
    public static void write(Path file, Map<String, FloatTensor> tensors, String dtype, Map<String, String> metadata) {
        int width = DType.width(dtype);
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        meta.put("format", "pt");
        metadata.forEach(meta::put);
        long offset = 0;
        for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtype);
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long size = (long) e.getValue().data().length * width;
            t.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(json);
                out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
                for (FloatTensor t : tensors.values()) {
                    float[] data = t.data();
                    int chunk = 1 << 20;
                    for (int from = 0; from < data.length; from += chunk) {
                        int n = Math.min(chunk, data.length - from);
                        float[] part = from == 0 && n == data.length ? data : java.util.Arrays.copyOfRange(data, from, from + n);
                        ByteBuffer buf = ByteBuffer.allocate(n * width).order(ByteOrder.LITTLE_ENDIAN);
                        DType.narrow(dtype, part, buf);
                        out.write(buf.array());
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write safetensors file " + file, e);
        }
    }
}
