package ai.aster.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.aster.gateway.support.ScriptedModelResource;
import ai.aster.gateway.support.ScriptedModelServer;
import ai.aster.gateway.support.TracingProfile;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** One trajectory is one invoke_agent span; each model call a text_completion child whose context reaches the model. */
@QuarkusTest
@TestProfile(TracingProfile.class)
@WithTestResource(ScriptedModelResource.class)
class TracingTest {

    ScriptedModelServer model;

    @Inject
    InMemorySpanExporter spans;

    @Test
    void spansNestAndPropagate() {
        model.script("traced", turn -> turn.index() < 2
                ? "<tool_call>\n{\"name\": \"nope\", \"arguments\": {}}\n</tool_call>" : "done \\boxed{1}");
        given().contentType(ContentType.JSON).header("Authorization", "Bearer test-key")
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"[[script:traced]] go\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);

        // This trajectory's trace, named by the model service's first call: the application (and its exporter) may
        // be shared with earlier test classes whose spans are still there, so nothing here may assume it is alone.
        List<ScriptedModelServer.Call> calls = model.calls("traced");
        assertEquals(3, calls.size());
        assertNotNull(calls.get(0).traceparent(), "no traceparent on the first completion call");
        String traceId = calls.get(0).traceparent().split("-")[1];
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(s -> s.getName().equals("invoke_agent") && s.getTraceId().equals(traceId)));
        SpanData agent = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("invoke_agent") && s.getTraceId().equals(traceId))
                .findFirst().orElseThrow();
        List<SpanData> completions = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("text_completion") && s.getTraceId().equals(traceId)).toList();
        assertEquals(3, completions.size());
        completions.forEach(c -> assertEquals(agent.getSpanId(), c.getParentSpanId()));

        // traceparent = 00-<trace id>-<parent span id>-<flags>: the model service joins the trajectory's trace
        for (int i = 0; i < calls.size(); i++) {
            String traceparent = calls.get(i).traceparent();
            assertNotNull(traceparent, "no traceparent on completion call " + i);
            String[] parts = traceparent.split("-");
            assertEquals(agent.getTraceId(), parts[1]);
            assertEquals(completions.get(i).getSpanId(), parts[2]);
        }
    }
}
