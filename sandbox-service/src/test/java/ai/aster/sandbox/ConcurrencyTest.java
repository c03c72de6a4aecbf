package ai.aster.sandbox;

import static ai.aster.sandbox.SandboxApi.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
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

/** Many calls at once, single and batched. */
@QuarkusTest
class ConcurrencyTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void sixtyFourCallsAtConcurrencyThirtyTwoAllSucceed() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://localhost:" + RestAssured.port + "/v1/executions");
        List<Future<JsonNode>> results = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(32)) {
            for (int i = 0; i < 64; i++) {
                int n = i;
                results.add(clients.submit(() -> callRetrying429(http, uri, "print(" + n + " * " + n + ")")));
            }
            for (int i = 0; i < 64; i++) {
                JsonNode r = results.get(i).get();
                assertThat(r.path("status").asText()).as("call %d: %s", i, r).isEqualTo("ok");
                assertThat(r.path("stdout").asText()).isEqualTo((i * i) + "\n");
            }
        }
    }

    private JsonNode callRetrying429(HttpClient http, URI uri, String code) throws Exception {
        String body = json.writeValueAsString(Map.of("code", code));
        for (int attempt = 0; attempt < 100; attempt++) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .header("Authorization", SandboxApi.AUTHORIZATION)
                            .timeout(Duration.ofMinutes(5)) // above the service's own bounds (two acquire timeouts + the call)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 429) {
                long wait = response.headers().firstValueAsLong("Retry-After").orElse(1);
                Thread.sleep(Math.min(wait * 1000, 1000));
                continue;
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return json.readTree(response.body());
        }
        throw new AssertionError("still 429 after 100 attempts");
    }

    @Test
    void batchRunsEveryItemAndKeepsTheOrder() {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            items.add(Map.of("code", i == 4 ? "raise SystemExit(4)" : "print(" + i + ")"));
        }
        JsonPath r = given().contentType(ContentType.JSON).body(Map.of("executions", items))
                .post("/v1/executions/batch").then().statusCode(200).extract().jsonPath();
        assertThat(r.getList("results")).hasSize(10);
        for (int i = 0; i < 10; i++) {
            if (i == 4) {
                assertThat(r.getString("results[4].status")).isEqualTo("error");
                assertThat(r.getInt("results[4].exit_code")).isEqualTo(4);
            } else {
                assertThat(r.getString("results[" + i + "].status")).isEqualTo("ok");
                assertThat(r.getString("results[" + i + "].stdout")).isEqualTo(i + "\n");
            }
        }
    }

    @Test
    void batchLargerThanSlotsAndQueueRunsEveryItem() {
        // 40 items > max-concurrent (16) + max-queued (16) of the test profile: the batch feeds them in gradually.
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            items.add(Map.of("code", "print(" + i + " + 1)"));
        }
        JsonPath r = given().contentType(ContentType.JSON).body(Map.of("executions", items))
                .post("/v1/executions/batch").then().statusCode(200).extract().jsonPath();
        for (int i = 0; i < 40; i++) {
            assertThat(r.getString("results[" + i + "].status")).as("item %d", i).isEqualTo("ok");
            assertThat(r.getString("results[" + i + "].stdout")).isEqualTo((i + 1) + "\n");
        }
    }

    @Test
    void batchWithOneBadItemIsRejectedWhole() {
        given().contentType(ContentType.JSON)
                .body(Map.of("executions", List.of(Map.of("code", "print(1)"), Map.of("code", ""))))
                .post("/v1/executions/batch").then().statusCode(400)
                .body("error.param", equalTo("executions[1].code"));
        given().contentType(ContentType.JSON).body(Map.of("executions", List.of()))
                .post("/v1/executions/batch").then().statusCode(400)
                .body("error.param", equalTo("executions"));
    }
}
