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
import org.junit.jupiter.api.Test;

/**
 * Session memory for about two sessions, six sessions calling at once: sessions get evicted, and every call either
 * sees all of its session's earlier calls or says {@code session_reset: true} with a note in stderr. Never a
 * silently empty session.
 */
@QuarkusTest
@TestProfile(SessionBudgetTest.TinySessionMemory.class)
class SessionBudgetTest {

    public static class TinySessionMemory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("aster.sandbox.instance", "sandbox-test-sessions",
                    "aster.sandbox.sessions.max-total-bytes", "12000");
        }
    }

    private static final int SESSIONS = 6;
    private static final int CALLS = 4;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyCallSeesItsWholeSessionOrIsToldItWasReset() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create("http://localhost:" + RestAssured.port + "/v1/executions");
        List<Future<List<JsonNode>>> sessions = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(SESSIONS)) {
            for (int s = 0; s < SESSIONS; s++) {
                String id = "budget-" + s + "-" + System.nanoTime();
                sessions.add(clients.submit(() -> {
                    List<JsonNode> results = new ArrayList<>();
                    for (int c = 0; c < CALLS; c++) {
                        // Each call counts the calls it sees and keeps about 5 KB of state.
                        results.add(post(http, uri, id, """
                                seen = globals().get('seen', 0)
                                print(seen)
                                seen += 1
                                ballast = 'x' * 5000
                                """));
                    }
                    return results;
                }));
            }
            int resets = 0;
            for (Future<List<JsonNode>> session : sessions) {
                int expected = 0;
                for (JsonNode r : session.get()) {
                    assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("ok");
                    int seen = Integer.parseInt(r.path("stdout").asText().strip());
                    if (r.path("session_reset").asBoolean(false)) {
                        resets++;
                        assertThat(r.path("stderr").asText()).as(r.toString()).contains("note: ")
                                .containsAnyOf("earlier state is gone", "could not be kept");
                        // reset before the call: it started empty; reset after: it saw everything but kept nothing
                        assertThat(seen).as(r.toString()).isIn(0, expected);
                        expected = r.path("stderr").asText().contains("could not be kept") ? 0 : seen + 1;
                    } else {
                        assertThat(seen).as("call of a session that was not reset: %s", r).isEqualTo(expected);
                        assertThat(r.has("session_reset")).isFalse();
                        expected = seen + 1;
                    }
                }
            }
            // The budget holds about two sessions: some were evicted, so the test did look at resets.
            assertThat(resets).isPositive();
        }
    }

    private JsonNode post(HttpClient http, URI uri, String session, String code) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .header("Authorization", SandboxApi.AUTHORIZATION)
                        .timeout(Duration.ofMinutes(5))
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                                Map.of("code", code, "session_id", session)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
