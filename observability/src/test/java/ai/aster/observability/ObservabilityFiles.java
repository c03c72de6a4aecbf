package ai.aster.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The files under observability/ that the tests read: alert rules, dashboards and the queries in them. */
final class ObservabilityFiles {

    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Grafana's built-in variables, replaced by a plain value so that promtool can parse the query. */
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of(
            "$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h");
    private static final Pattern LEFTOVER_VARIABLE = Pattern.compile("\\$\\{?\\w+");

    /** A query and where it comes from (for messages). */
    record Query(String source, String expr) {}

    private ObservabilityFiles() {
    }

    /** observability/ (surefire runs with the module folder as working directory). */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        return Files.isDirectory(dir.resolve("prometheus")) ? dir : dir.resolve("observability");
    }

    static Path rulesFile() {
        return root().resolve("prometheus/rules/aster-alerts.yml");
    }

    static Path ruleTestsFile() {
        return root().resolve("prometheus/tests/aster-alerts-test.yml");
    }

    static List<Path> dashboards() {
        try (Stream<Path> files = Files.list(root().resolve("grafana/dashboards"))) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(ObjectMapper mapper, Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every alert rule, by name. */
    static Map<String, JsonNode> alerts() {
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        for (JsonNode group : read(YAML, rulesFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    alerts.put(rule.path("alert").asText(), rule);
                }
            }
        }
        return alerts;
    }

    static List<Query> ruleQueries() {
        List<Query> queries = new ArrayList<>();
        alerts().forEach((name, rule) -> queries.add(new Query("alert " + name, rule.path("expr").asText())));
        return queries;
    }

    /** Every panel query of every dashboard (rows included), Grafana variables substituted. */
    static List<Query> dashboardQueries() {
        List<Query> queries = new ArrayList<>();
        for (Path file : dashboards()) {
            collectPanelQueries(file.getFileName().toString(), read(JSON, file).path("panels"), queries);
        }
        return queries;
    }

    private static void collectPanelQueries(String dashboard, JsonNode panels, List<Query> into) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                String source = dashboard + " / " + panel.path("title").asText() + " / " + target.path("refId").asText();
                into.add(new Query(source, substituteVariables(target.path("expr").asText())));
            }
            collectPanelQueries(dashboard, panel.path("panels"), into);
        }
    }

    static String substituteVariables(String expr) {
        String out = expr;
        for (var variable : GRAFANA_VARIABLES.entrySet()) {
            out = out.replace(variable.getKey(), variable.getValue());
        }
        Matcher leftover = LEFTOVER_VARIABLE.matcher(out);
        if (leftover.find()) {
            throw new IllegalStateException("unknown Grafana variable " + leftover.group() + " in " + expr);
        }
        return out;
    }

    static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
