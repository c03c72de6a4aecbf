package ai.aster.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.support.DegradedProfile;
import ai.aster.gateway.support.ScriptedModelResource;
import ai.aster.gateway.support.ScriptedModelServer;
import ai.aster.gateway.support.Scripts;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Dependencies that are down or slow, and saturation: errors come promptly, budgets end trajectories. */
@QuarkusTest
@TestProfile(DegradedProfile.class)
@WithTestResource(ScriptedModelResource.class)
class DegradedDependenciesTest {

    ScriptedModelServer model;

    @TestHTTPResource("/v1/chat/completions")
    URL url;

    private static String body(String script, boolean stream) {
        return "{\"model\":\"scripted\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"[[script:" + script + "]] go\"}]}";
    }

    private HttpRequest request(String body) {
        return HttpRequest.newBuilder(URI.create(url.toString())).header("Authorization", "Bearer test-key")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void aDeadSandboxEndsTheTrajectoryWith503Promptly() {
        model.script("needs-sandbox", turn -> Scripts.hermesCall("print(1)"));
        model.script("warm", turn -> "no tools needed");
        // a first request warms the gateway's clients (class loading, connection pools): the timing is about the sandbox
        given().contentType(ContentType.JSON).header("Authorization", "Bearer test-key").body(body("warm", false))
                .post("/v1/chat/completions").then().statusCode(200);
        long start = System.nanoTime();
        given().contentType(ContentType.JSON).header("Authorization", "Bearer test-key")
                .body(body("needs-sandbox", false)).post("/v1/chat/completions")
                .then().statusCode(503).body("error.code", equalTo("service_unavailable"))
                .body("error.message", containsString("sandbox-service"));
        assertTrue(System.nanoTime() - start < 2_500_000_000L, "took " + (System.nanoTime() - start) / 1e6 + " ms");
    }

    @Test
    void anErrorAfterTheStreamStartedIsItsLastEvent() throws Exception {
        model.script("stream-then-fail", turn -> Scripts.think("first a thought") + Scripts.hermesCall("print(1)"));
        HttpResponse<String> response = HttpClient.newHttpClient().send(request(body("stream-then-fail", true)),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        String events = response.body();
        assertTrue(events.contains("\"reasoning_content\":"), events);
        String last = events.strip().substring(events.strip().lastIndexOf("data: "));
        assertTrue(last.startsWith("data: {\"error\":{") && last.contains("sandbox-service"), last);
        assertFalse(events.contains("[DONE]"), events);
    }

    @Test
    void aHangingModelEndsAtTheDeadline() {
        model.script("hang", turn -> {
            sleep(Duration.ofSeconds(20));
            return "too late";
        });
        long start = System.nanoTime();
        given().contentType(ContentType.JSON).header("Authorization", "Bearer test-key").body(body("hang", false))
                .post("/v1/chat/completions").then().statusCode(200)
                .body("choices[0].finish_reason", equalTo("deadline"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 2.5 && seconds < 8, "took " + seconds + " s");
    }

    @Test
    void beyondTheConcurrencyLimitRequestsGet429WithRetryAfter() {
        AtomicInteger started = new AtomicInteger();
        model.script("busy", turn -> {
            started.incrementAndGet();
            sleep(Duration.ofSeconds(20));
            return "late";
        });
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> busy = List.of(
                http.sendAsync(request(body("busy", false)), HttpResponse.BodyHandlers.ofString()),
                http.sendAsync(request(body("busy", false)), HttpResponse.BodyHandlers.ofString()));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 2);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer test-key").body(body("busy", true))
                .post("/v1/chat/completions").then().statusCode(429).header("Retry-After", "1")
                .body("error.type", equalTo("rate_limit_error"));
        busy.forEach(f -> assertEquals(200, f.join().statusCode()));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
