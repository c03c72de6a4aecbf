package ai.aster.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

    @Test
    void rulesAndScrapeConfigPassPromtoolChecks() {
        Promtool.Result rules = Promtool.run(ObservabilityFiles.root(), "check", "rules", "prometheus/rules/aster-alerts.yml");
        assertEquals(0, rules.exitCode(), rules.output());
        Promtool.Result config = Promtool.run(ObservabilityFiles.root(), "check", "config", "prometheus/prometheus.yml");
        assertEquals(0, config.exitCode(), config.output());
    }

    @Test
    void ruleUnitTestsPass() {
        Promtool.Result result = Promtool.run(ObservabilityFiles.root(), "test", "rules",
                "prometheus/tests/aster-alerts-test.yml");
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("SUCCESS"), result.output());
    }

    /** The list, so that none is dropped by accident. */
    @Test
    void everyRequiredAlertExists() {
        assertEquals(Set.of("AsterServiceDown", "AsterSandboxFailureShareHigh", "AsterHighRateOf429",
                "AsterModelQueueSaturated", "AsterSandboxQueueSaturated", "AsterTimeToFirstTokenHigh",
                "AsterTrajectoriesEndingInError", "AsterToolCallsCollapsed", "AsterTrainerConsumerLag",
                "AsterTrainerDeadLettersGrowing", "AsterNoNewPolicyVersion"), ObservabilityFiles.alerts().keySet());
    }

    @Test
    void everyAlertHasASeverityASummaryAndARunbook() {
        ObservabilityFiles.alerts().forEach((name, rule) -> {
            assertFalse(rule.path("labels").path("severity").asText().isBlank(), name + ": severity");
            assertFalse(rule.path("annotations").path("summary").asText().isBlank(), name + ": summary");
            assertTrue(rule.path("annotations").path("runbook").asText().length() > 80, name + ": runbook text");
        });
    }

    /** Each alert has a unit test in which it fires, and one in which it stays silent. */
    @Test
    void everyAlertHasAFiringAndASilentUnitTest() {
        Set<String> fires = new HashSet<>();
        Set<String> silent = new HashSet<>();
        JsonNode tests = ObservabilityFiles.read(ObservabilityFiles.YAML, ObservabilityFiles.ruleTestsFile());
        for (JsonNode test : tests.path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                String name = check.path("alertname").asText();
                (check.path("exp_alerts").isEmpty() ? silent : fires).add(name);
            }
            // an alert tested to fire for one series only (exp_labels) is silent for the others in that test
            if (test.path("input_series").size() > 1) {
                for (JsonNode check : test.path("alert_rule_test")) {
                    if (check.path("exp_alerts").size() == 1
                            && check.path("exp_alerts").get(0).path("exp_labels").size() > 1) {
                        silent.add(check.path("alertname").asText());
                    }
                }
            }
        }
        Set<String> missingFiring = new TreeSet<>(ObservabilityFiles.alerts().keySet());
        missingFiring.removeAll(fires);
        Set<String> missingSilent = new TreeSet<>(ObservabilityFiles.alerts().keySet());
        missingSilent.removeAll(silent);
        assertEquals(Set.of(), missingFiring, "alerts without a unit test in which they fire");
        assertEquals(Set.of(), missingSilent, "alerts without a unit test in which they stay silent");
    }

    @Test
    void scrapeConfigCoversTheFourServicesOnQMetrics() {
        JsonNode config = ObservabilityFiles.read(ObservabilityFiles.YAML,
                ObservabilityFiles.root().resolve("prometheus/prometheus.yml"));
        Map<String, String> expected = Map.of("aster-gateway", "127.0.0.1:8080", "aster-model", "127.0.0.1:8081",
                "aster-sandbox", "127.0.0.1:8082", "aster-trainer", "127.0.0.1:8083");
        assertEquals(4, config.path("scrape_configs").size());
        for (JsonNode job : config.path("scrape_configs")) {
            String name = job.path("job_name").asText();
            assertEquals("/q/metrics", job.path("metrics_path").asText(), name);
            assertEquals(expected.get(name), job.path("static_configs").get(0).path("targets").get(0).asText(), name);
        }
    }
}
