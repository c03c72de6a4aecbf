package ai.aster.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A flood of calls that all time out, pooled and on-demand (another memory limit) mixed: the number of containers
 * that exist in the engine never exceeds max-live-containers, nor does their summed memory exceed the budget, and
 * every call still runs (a timeout, not an error).
 */
@QuarkusTest
@TestProfile(ContainerBudgetTest.FourContainers.class)
class ContainerBudgetTest {

    static final String INSTANCE = "sandbox-test-budget";
    static final int MAX_LIVE = 4;

    public static class FourContainers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("aster.sandbox.instance", INSTANCE,
                    "aster.sandbox.max-live-containers", String.valueOf(MAX_LIVE),
                    // room for four default (1024) containers, or fewer when 2048 ones take part
                    "aster.sandbox.max-total-memory-mb", "4096",
                    "aster.sandbox.pool.size", "2",
                    "aster.sandbox.pool.max-starting", "3",
                    "aster.sandbox.admission.max-concurrent", "12",
                    "aster.sandbox.admission.max-queued", "32");
        }
    }

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void floodOfTimeoutsNeverExceedsTheLiveContainerBudget() throws Exception {
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicInteger mostSeen = new AtomicInteger();
        // Watches the engine itself (not the service's own count) for as long as the flood lasts.
        Thread watcher = Thread.ofPlatform().start(() -> {
            while (flooding.get()) {
                mostSeen.accumulateAndGet(TestEngine.containersOf(INSTANCE).size(), Math::max);
            }
        });
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create("http://localhost:" + RestAssured.port + "/v1/executions");
        List<Future<JsonNode>> results = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(12)) {
            for (int i = 0; i < 24; i++) {
                Map<String, Object> body = i % 3 == 0
                        ? Map.of("code", "while True:\n    pass", "timeout_s", 1, "memory_mb", 2048)
                        : Map.of("code", "while True:\n    pass", "timeout_s", 1);
                results.add(clients.submit(() -> post(http, uri, body)));
            }
            for (Future<JsonNode> result : results) {
                JsonNode r = result.get();
                assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("timeout");
            }
        } finally {
            flooding.set(false);
            watcher.join();
        }
        assertThat(mostSeen.get()).as("most containers seen at once").isBetween(1, MAX_LIVE);
        String metrics = SandboxApi.given().get("/q/metrics").asString();
        assertThat(BadInputTest.gauge("aster_sandbox_containers_live")).isLessThanOrEqualTo(MAX_LIVE);
        assertThat(metrics).contains("aster_sandbox_containers_memory_mb");
    }

    private JsonNode post(HttpClient http, URI uri, Map<String, Object> body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .header("Authorization", SandboxApi.AUTHORIZATION)
                        .timeout(Duration.ofMinutes(5))
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
