package ai.aster.trainer.train;

import ai.aster.trainer.service.InvalidRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a job's {@code config} object (or an object inside it) field by field: a missing optional field takes its
 * default; a wrong type, a value out of range or an unknown key is an {@link InvalidRequestException} naming the
 * field by its path ({@code config.batch_size}, {@code config.data.store.limit}), so the API answers 400.
 */
public final class JobConfig {

    private final JsonNode node;
    private final String path;

    private JobConfig(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The job's {@code config} object. */
    public static JobConfig of(JsonNode config) {
        if (config == null || !config.isObject()) {
            throw new InvalidRequestException("config must be a JSON object", "config");
        }
        return new JobConfig(config, "config");
    }

    public String name(String field) {
        return path + "." + field;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** The field's value as given (null when absent), for a setting of more than one shape. */
    public JsonNode node(String field) {
        return node.get(field);
    }

    /** Refuses keys outside {@code known} (a misspelt key would otherwise be ignored silently). */
    public JobConfig onlyKeys(Set<String> known) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException(name(unknown.getFirst()) + " is not a setting here; known: "
                    + String.join(", ", known.stream().sorted().toList()), name(unknown.getFirst()));
        }
        return this;
    }

    public JobConfig object(String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isObject()) {
            throw new InvalidRequestException(name(field) + " must be a JSON object", name(field));
        }
        return new JobConfig(v, name(field));
    }

    public String string(String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new InvalidRequestException(name(field) + " is required (a non-empty string)", name(field));
        }
        return v.asText();
    }

    public String string(String field, String fallback) {
        return has(field) ? string(field) : fallback;
    }

    /** A path to an existing file ({@code directory} false) or folder. */
    public Path existingPath(String field, boolean directory) {
        Path p = Path.of(string(field));
        boolean ok = directory ? java.nio.file.Files.isDirectory(p) : java.nio.file.Files.isRegularFile(p);
        if (!ok) {
            throw new InvalidRequestException(name(field) + ": no " + (directory ? "folder" : "file") + " "
                    + p.toAbsolutePath() + " (relative paths are resolved against the trainer's working directory)",
                    name(field));
        }
        return p;
    }

    public Integer optionalInt(String field, int min) {
        if (!has(field)) {
            return null;
        }
        JsonNode v = node.get(field);
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min) {
            throw new InvalidRequestException(name(field) + " must be an integer >= " + min + "; was " + v,
                    name(field));
        }
        return v.asInt();
    }

    public int integer(String field, int fallback, int min) {
        Integer v = optionalInt(field, min);
        return v == null ? fallback : v;
    }

    /** A number in {@code [min, max]}. */
    public double number(String field, double fallback, double min, double max) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = node.get(field);
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw new InvalidRequestException(name(field) + " must be a number in [" + min + ", " + max + "]; was "
                    + v, name(field));
        }
        return v.asDouble();
    }

    public Boolean optionalBoolean(String field) {
        if (!has(field)) {
            return null;
        }
        JsonNode v = node.get(field);
        if (!v.isBoolean()) {
            throw new InvalidRequestException(name(field) + " must be true or false; was " + v, name(field));
        }
        return v.asBoolean();
    }

    public boolean bool(String field, boolean fallback) {
        Boolean v = optionalBoolean(field);
        return v == null ? fallback : v;
    }

    /** A string out of {@code allowed}, or null when absent. */
    public String oneOf(String field, Set<String> allowed) {
        if (!has(field)) {
            return null;
        }
        String v = string(field);
        if (!allowed.contains(v)) {
            throw new InvalidRequestException(name(field) + " must be one of " + String.join(", ",
                    allowed.stream().sorted().toList()) + "; was '" + v + "'", name(field));
        }
        return v;
    }
}
