package ai.aster.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric name a dashboard or an alert rule reads is on the live services' /q/metrics after real requests have
 * gone through the platform (a chat completion through the gateway, streamed and not, and a code execution). Two
 * kinds of names are not looked for there: {@code up}, which Prometheus itself writes for every scrape, and the
 * aster_trainer_* contract ({@link TrainerContractTest}; this test does not start trainer-service, whose
 * TrainingJobsTest checks that the live trainer exports every name of that contract).
 */
class LiveMetricNamesTest {

    private static LivePlatform platform;
    private static final Map<String, String> exposition = new TreeMap<>();

    @BeforeAll
    static void startPlatformAndServeRequests() throws IOException {
        platform = LivePlatform.start();
        String chat = "{\"model\": \"aster\", \"max_tokens\": 16, \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"What is 2 + 2?\"}]}";
        HttpResponse<String> answer = platform.post(platform.gatewayUrl + "/v1/chat/completions", chat, LivePlatform.API_KEY);
        assertEquals(200, answer.statusCode(), answer.body());
        HttpResponse<String> streamed = platform.post(platform.gatewayUrl + "/v1/chat/completions",
                chat.replace("{\"model\"", "{\"stream\": true, \"model\""), LivePlatform.API_KEY);
        assertEquals(200, streamed.statusCode(), streamed.body());
        assertTrue(streamed.body().contains("data: [DONE]"), streamed.body());
        HttpResponse<String> execution = platform.post(platform.sandboxUrl + "/v1/executions",
                "{\"code\": \"print(6 * 7)\", \"language\": \"python\"}", platform.internalToken);
        assertEquals(200, execution.statusCode(), execution.body());
        assertTrue(execution.body().contains("\"status\":\"ok\""), execution.body());

        for (var service : Map.of("gateway", platform.gatewayUrl, "model", platform.modelUrl,
                "sandbox", platform.sandboxUrl).entrySet()) {
            HttpResponse<String> metrics = platform.get(service.getValue() + "/q/metrics");
            assertEquals(200, metrics.statusCode(), service.getKey());
            exposition.put(service.getKey(), metrics.body());
            Files.writeString(Path.of("target").resolve("live-metrics-" + service.getKey() + ".txt"), metrics.body());
        }
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    /** Series names in Prometheus text format: the part of each sample line before labels or value. */
    static Set<String> seriesNames(String text) {
        Set<String> names = new TreeSet<>();
        text.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).forEach(names::add);
        return names;
    }

    @Test
    void everyNameUsedByADashboardOrARuleIsExported() {
        Set<String> exported = new TreeSet<>();
        exposition.values().forEach(text -> exported.addAll(seriesNames(text)));

        Map<String, String> missing = new TreeMap<>();
        Stream.concat(ObservabilityFiles.ruleQueries().stream(), ObservabilityFiles.dashboardQueries().stream())
                .forEach(query -> PromQlNames.of(query.expr()).stream()
                        .filter(name -> !name.equals("up") && !name.startsWith("aster_trainer_"))
                        .filter(name -> !exported.contains(name))
                        .forEach(name -> missing.putIfAbsent(name, query.source())));
        assertEquals(Map.of(), missing, "names used but not on any service's /q/metrics (name -> first use)");
    }

    /** The check above is not vacuous: the names come from all three services. */
    @Test
    void theCheckedNamesSpanEveryRunningService() {
        assertTrue(seriesNames(exposition.get("gateway")).contains("aster_gateway_trajectories_total"));
        assertTrue(seriesNames(exposition.get("model")).contains("aster_model_policy_version"));
        assertTrue(seriesNames(exposition.get("sandbox")).contains("aster_sandbox_executions_total"));
        assertTrue(exposition.get("sandbox").matches("(?s).*aster_sandbox_executions_total\\{status=\"ok\"} [1-9].*"),
                "the execution was counted");
    }
}
