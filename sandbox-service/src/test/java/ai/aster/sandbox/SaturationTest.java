package ai.aster.sandbox;

import static ai.aster.sandbox.SandboxApi.call;
import static ai.aster.sandbox.SandboxApi.post;
import static ai.aster.sandbox.SandboxApi.run;
import static ai.aster.sandbox.SandboxApi.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One execution slot and no queue: the second call at the same time is refused at once, never left hanging. */
@QuarkusTest
@TestProfile(SaturationTest.OneSlot.class)
class SaturationTest {

    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("aster.sandbox.instance", "sandbox-test-saturation",
                    "aster.sandbox.pool.size", "1",
                    "aster.sandbox.admission.max-concurrent", "1",
                    "aster.sandbox.admission.max-queued", "0",
                    "aster.sandbox.admission.retry-after-s", "2");
        }
    }

    @Test
    void beyondTheLimitsAnswers429WithRetryAfter() throws Exception {
        // The long call goes through the JDK client: RestAssured is not safe to use from two threads at once.
        CompletableFuture<HttpResponse<String>> busy = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/executions"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", SandboxApi.AUTHORIZATION)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"code\": \"import time\\ntime.sleep(8)\\nprint('done')\", \"timeout_s\": 20}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (busy.isDone()) {
                throw new AssertionError("the long call ended early: " + busy.get().body());
            }
            return BadInputTest.gauge("aster_sandbox_executions_active") == 1;
        });

        long start = System.nanoTime();
        post(call("print(1)")).then().statusCode(429)
                .header("Retry-After", "2")
                .body("error.type", equalTo("rate_limit_error"))
                .body("error.code", equalTo("overloaded"));
        // refused at once: a queued call would have waited for the 8 s one (RestAssured itself adds up to ~1 s)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));

        // A burst far beyond the limits: every request is answered 429 promptly, none hangs.
        HttpClient burstClient = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            burst.add(burstClient.sendAsync(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + RestAssured.port + "/v1/executions"))
                    .timeout(Duration.ofSeconds(4))
                    .header("Authorization", SandboxApi.AUTHORIZATION)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"code\": \"print(1)\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> r : burst) {
            assertThat(r.get().statusCode()).isEqualTo(429);
        }

        JsonPath batch = given().contentType(ContentType.JSON)
                .body(Map.of("executions", List.of(Map.of("code", "print(1)"), Map.of("code", "print(2)"))))
                .post("/v1/executions/batch").then().statusCode(200).extract().jsonPath();
        assertThat(batch.getList("results.status")).containsExactly("rejected", "rejected");
        assertThat(batch.getString("results[0].stderr")).contains("saturated");

        assertThat(busy.get().statusCode()).isEqualTo(200);
        assertThat(busy.get().body()).contains("\"stdout\":\"done\\n\"");
        assertThat(run("print('after')").getString("stdout")).isEqualTo("after\n");
        assertThat(given().get("/q/metrics").asString()).contains("status=\"rejected\"");
    }
}
