package ai.aster.grading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the JSONL case files under src/test/resources. */
final class GradingCases {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GradingCases() {}

    static List<JsonNode> read(String resource) {
        try (InputStream in = GradingCases.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            List<JsonNode> rows = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    rows.add(JSON.readTree(line));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The options a Math-Verify case row asks for (extraction, float_rounding, strict, allow_set_relation_comp). */
    static GradeOptions options(JsonNode row) {
        GradeOptions o = GradeOptions.defaults();
        if (row.has("extraction")) {
            List<ExtractionTarget> targets = new ArrayList<>();
            row.get("extraction").forEach(t -> targets.add(ExtractionTarget.valueOf(t.asText().toUpperCase())));
            o = o.withExtraction(targets);
        }
        if (row.has("float_rounding")) {
            o = o.withFloatRounding(row.get("float_rounding").asInt());
        }
        if (row.has("strict")) {
            o = o.withStrict(row.get("strict").asBoolean());
        }
        if (row.has("allow_set_relation_comp")) {
            o = o.withAllowSetRelationComp(row.get("allow_set_relation_comp").asBoolean());
        }
        return o;
    }
}
