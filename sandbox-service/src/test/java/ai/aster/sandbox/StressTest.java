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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An RL step's worth of calls with the production defaults for slots, queue, pool and waits: 200 calls at
 * concurrency 32, each printing a distinct 40 KB. Every answer is 200 (or 429 with Retry-After, which the client
 * honours, as the gateway does), never 503 (busy is not down), and every output is byte-exact (nothing lost between
 * the code's last write and the end of the call).
 */
@QuarkusTest
@TestProfile(StressTest.ProductionLimits.class)
class StressTest {

    public static class ProductionLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("aster.sandbox.instance", "sandbox-test-stress",
                    "aster.sandbox.pool.size", "8",
                    "aster.sandbox.pool.max-starting", "8",
                    "aster.sandbox.pool.acquire-timeout", "30s",
                    "aster.sandbox.admission.max-concurrent", "32",
                    "aster.sandbox.admission.max-queued", "128");
        }
    }

    private static final int CALLS = 200;
    private static final int CONCURRENCY = 32;
    private static final int LINES = 40;
    private static final int LINE_CHARS = 1000;

    private final ObjectMapper json = new ObjectMapper();

    /** 40 lines of 1000+ characters, distinct per call; the last ones written straight to the file descriptor. */
    private static String code(int n) {
        return """
                import os
                for k in range(%d):
                    line = "%d:%%d:" %% k + chr(97 + (%d + k) %% 26) * %d
                    if k < %d:
                        print(line)
                    else:
                        os.write(1, (line + "\\n").encode())
                """.formatted(LINES, n, n, LINE_CHARS, LINES - 5);
    }

    private static String expected(int n) {
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < LINES; k++) {
            out.append(n).append(':').append(k).append(':')
                    .append(String.valueOf((char) ('a' + (n + k) % 26)).repeat(LINE_CHARS)).append('\n');
        }
        return out.toString();
    }

    @Test
    void twoHundredCallsAtConcurrencyThirtyTwoAreByteExactAndNeverUnavailable() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create("http://localhost:" + RestAssured.port + "/v1/executions");
        AtomicInteger overloaded = new AtomicInteger();
        List<Future<JsonNode>> results = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY)) {
            for (int i = 0; i < CALLS; i++) {
                int n = i;
                results.add(clients.submit(() -> call(http, uri, code(n), overloaded)));
            }
            for (int i = 0; i < CALLS; i++) {
                JsonNode r = results.get(i).get();
                assertThat(r.path("status").asText()).as("call %d: %s", i, r.path("stderr")).isEqualTo("ok");
                assertThat(r.path("stdout_truncated").asBoolean()).isFalse();
                String stdout = r.path("stdout").asText();
                assertThat(stdout.length()).as("call %d stdout length", i).isEqualTo(expected(i).length());
                assertThat(stdout).as("call %d stdout", i).isEqualTo(expected(i));
            }
        }
        System.out.printf("stress: %d calls, %d answered 429 first%n", CALLS, overloaded.get());
    }

    /** One call; a 429 is retried after its Retry-After (the contract), anything but 200 or 429 fails the test. */
    private JsonNode call(HttpClient http, URI uri, String code, AtomicInteger overloaded) throws Exception {
        String body = json.writeValueAsString(Map.of("code", code));
        for (int attempt = 0; attempt < 300; attempt++) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .header("Authorization", SandboxApi.AUTHORIZATION)
                            .timeout(Duration.ofMinutes(5))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 429) {
                overloaded.incrementAndGet();
                String retryAfter = response.headers().firstValue("Retry-After").orElseThrow(
                        () -> new AssertionError("429 without Retry-After"));
                Thread.sleep(Long.parseLong(retryAfter) * 1000);
                continue;
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return json.readTree(response.body());
        }
        throw new AssertionError("still 429 after 300 attempts");
    }
}
