package ai.aster.trainer.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One compact JSON object per line, UTF-8. */
final class JsonLinesSink implements RowSink {

    private final ObjectMapper json;
    private final BufferedWriter out;

    JsonLinesSink(ObjectMapper json, Path file) throws IOException {
        this.json = json;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    @Override
    public void write(ObjectNode row) throws IOException {
        out.write(json.writeValueAsString(row));
        out.write('\n');
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
