package ai.aster.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DashboardsTest {

    @Test
    void theFourDashboardsExist() {
        assertEquals(List.of("aster-agent-loop.json", "aster-sandbox.json", "aster-serving.json", "aster-training.json"),
                ObservabilityFiles.dashboards().stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void dashboardsValidateAgainstGrafanasPublishedSchema() throws IOException {
        JsonSchema schema;
        try (InputStream in = getClass().getResourceAsStream("/grafana/dashboard.jsonschema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        for (Path file : ObservabilityFiles.dashboards()) {
            Set<ValidationMessage> errors = schema.validate(ObservabilityFiles.read(ObservabilityFiles.JSON, file));
            assertEquals(Set.of(), errors, file.getFileName().toString());
        }
    }

    /** The schema is not a formality: a dashboard with a misspelt key fails it. */
    @Test
    void theSchemaRejectsABrokenDashboard() throws IOException {
        JsonSchema schema;
        try (InputStream in = getClass().getResourceAsStream("/grafana/dashboard.jsonschema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        JsonNode broken = ObservabilityFiles.JSON.readTree(
                "{\"schemaVersion\": 39, \"templating\": {}, \"annotations\": {}, \"panelz\": []}");
        assertFalse(schema.validate(broken).isEmpty());
    }

    @Test
    void everyPanelHasAQueryAndUniqueIds() {
        Set<String> uids = new HashSet<>();
        for (Path file : ObservabilityFiles.dashboards()) {
            JsonNode dashboard = ObservabilityFiles.read(ObservabilityFiles.JSON, file);
            assertTrue(uids.add(dashboard.path("uid").asText()), "duplicate uid in " + file);
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : dashboard.path("panels")) {
                assertTrue(ids.add(panel.path("id").asInt()), file + ": duplicate panel id " + panel.path("id"));
                assertFalse(panel.path("targets").isEmpty(), file + ": panel without a query: " + panel.path("title"));
            }
        }
    }

    /** Every query, as a recording rule in a generated rules file, must pass `promtool check rules`. */
    @Test
    void everyDashboardQueryParses() throws IOException {
        List<ObservabilityFiles.Query> queries = ObservabilityFiles.dashboardQueries();
        assertTrue(queries.size() > 30, "queries found: " + queries.size());
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      - record: dashboard:query_").append(i).append('\n')
                    .append("        expr: ").append(ObservabilityFiles.JSON.writeValueAsString(queries.get(i).expr()))
                    .append('\n');
            sources.add(i + ": " + queries.get(i).source());
        }
        Path dir = Files.createDirectories(Path.of("target"));
        Path file = dir.resolve("dashboard-queries.rules.yml");
        Files.writeString(file, rules);
        Promtool.Result result = Promtool.run(dir.toAbsolutePath(), "check", "rules", file.getFileName().toString());
        assertEquals(0, result.exitCode(), result.output() + "\nqueries:\n" + String.join("\n", sources));
        assertTrue(result.output().contains("SUCCESS: " + queries.size() + " rules found"), result.output());
    }

    /** And a broken query is caught by the same path (the check can fail). */
    @Test
    void aBrokenQueryFailsTheCheck() throws IOException {
        Path dir = Files.createDirectories(Path.of("target"));
        Path file = dir.resolve("broken-query.rules.yml");
        Files.writeString(file, "groups:\n  - name: q\n    rules:\n      - record: q:broken\n"
                + "        expr: \"sum(rate(aster_gateway_requests_total[5m])\"\n");
        assertFalse(Promtool.run(dir.toAbsolutePath(), "check", "rules", file.getFileName().toString()).exitCode() == 0);
    }

}
