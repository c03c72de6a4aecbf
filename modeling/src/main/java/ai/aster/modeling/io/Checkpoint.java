package ai.aster.modeling.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face model folder by tensor name: {@code model.safetensors}, or the shards listed in
 * {@code model.safetensors.index.json}'s {@code weight_map}.
 */
public final class Checkpoint {

    private final Map<String, SafetensorsFile> byName;

    private Checkpoint(Map<String, SafetensorsFile> byName) {
        this.byName = byName;
    }

    public static Checkpoint open(Path modelDir) {
        Path index = modelDir.resolve("model.safetensors.index.json");
        Path single = modelDir.resolve("model.safetensors");
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        if (Files.isRegularFile(index)) {
            try {
                JsonNode map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
                if (map == null || !map.isObject()) {
                    throw new IllegalArgumentException(index + " has no weight_map");
                }
                Map<String, SafetensorsFile> shards = new HashMap<>();
                map.properties().forEach(e -> byName.put(e.getKey(),
                        shards.computeIfAbsent(e.getValue().asText(), f -> SafetensorsFile.open(modelDir.resolve(f)))));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + index, e);
            }
        } else if (Files.isRegularFile(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            file.names().forEach(n -> byName.put(n, file));
        } else {
            throw new IllegalArgumentException(modelDir + " has neither model.safetensors nor model.safetensors.index.json");
        }
        return new Checkpoint(byName);
    }

    public Set<String> names() {
        return byName.keySet();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The tensor widened to float32; fails if it is missing or its shape differs from {@code expectedShape}. */
    public FloatTensor read(String name, long... expectedShape) {
        SafetensorsFile file = byName.get(name);
        if (file == null) {
            throw new IllegalArgumentException("checkpoint lacks tensor " + name);
        }
        FloatTensor t = file.read(name);
        if (expectedShape.length > 0 && !java.util.Arrays.equals(t.shape(), expectedShape)) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + java.util.Arrays.toString(t.shape())
                    + ", the config needs " + java.util.Arrays.toString(expectedShape));
        }
        // every tensor shares file reads with no cached state, so nothing to close
        return t;
    }

    /** Which dtypes the checkpoint stores (for logging). */
    public Set<String> dtypes() {
        Set<String> out = new java.util.TreeSet<>();
        byName.forEach((n, f) -> out.add(f.entry(n).dtype()));
        return out;
    }
}
