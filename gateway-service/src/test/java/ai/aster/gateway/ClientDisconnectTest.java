package ai.aster.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.support.ContainerCount;
import ai.aster.gateway.support.SandboxServiceResource;
import ai.aster.gateway.support.ScriptedModelResource;
import ai.aster.gateway.support.ScriptedModelServer;
import ai.aster.gateway.support.Scripts;
import ai.aster.protocol.trajectory.Trajectory;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/** A client that goes away mid-stream cancels its trajectory: no further turns, no leaked containers, nothing published. */
@QuarkusTest
@WithTestResource(ScriptedModelResource.class)
@WithTestResource(SandboxServiceResource.class)
class ClientDisconnectTest {

    ScriptedModelServer model;

    @Inject
    @Any
    InMemoryConnector connector;

    @TestHTTPResource("/")
    URL url;

    @Test
    void finishedTrajectoriesArePublishedWithTheirIdAsKey() {
        InMemorySink<Trajectory> sink = connector.sink("trajectories");
        sink.clear();
        model.script("published", Scripts::stateful);
        String id = given().contentType(ContentType.JSON).header("Authorization", "Bearer test-key")
                .header("X-Aster-Source", "eval")
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"[[script:published]] 2+3?\"}],"
                        + "\"problem_id\":\"p-1\",\"reference_answer\":\"5\"}")
                .post("/v1/chat/completions").then().statusCode(200).extract().path("id");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sink.received().size() == 1);
        Message<Trajectory> message = sink.received().get(0);
        Trajectory t = message.getPayload();
        assertEquals(id, t.id());
        assertEquals(id, message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey());
        assertEquals("eval", t.source());
        assertEquals("p-1", t.problemId());
        assertEquals("5", t.referenceAnswer());
        assertEquals("5", t.finalAnswer());
        assertEquals("stop", t.finishReason());
        assertEquals(3, t.turns().size());
        assertEquals(2, t.usage().toolCalls());

        // log_trajectory: false keeps a trajectory out of training data
        given().contentType(ContentType.JSON).header("Authorization", "Bearer test-key")
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"[[script:published]] 2+3?\"}],"
                        + "\"log_trajectory\":false}")
                .post("/v1/chat/completions").then().statusCode(200);
        sleepQuietly(500);
        assertEquals(1, sink.received().size());
    }

    @Test
    void disconnectingMidStreamCancelsTheTrajectory() throws Exception {
        InMemorySink<Trajectory> sink = connector.sink("trajectories");
        sink.clear();
        // idle pool containers carry the label too: at most the pool (or what was there before) may remain
        int baseline = Math.max(SandboxServiceResource.POOL_SIZE,
                ContainerCount.withInstanceLabel(SandboxServiceResource.instance()));
        AtomicInteger turns = new AtomicInteger();
        model.script("abandoned", turn -> {
            turns.incrementAndGet();
            return Scripts.think("this will take a while") + Scripts.hermesCall("import time\ntime.sleep(30)");
        });
        String body = "{\"stream\":true,\"tool_timeout_s\":4,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"[[script:abandoned]] wait\"}]}";
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(30_000); // a gateway that never streams fails the test instead of hanging it
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer test-key\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[4096];
            while (!seen.toString().contains("reasoning_content")) {
                int n = in.read(buffer);
                assertTrue(n > 0, "stream ended early: " + seen);
                seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            // the code is now running in the sandbox; the client goes away
            sleepQuietly(1000);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cancelledCount() >= 1);
        // the containers of the sandbox go back to its idle pool: none left running the abandoned code
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> ContainerCount.withInstanceLabel(SandboxServiceResource.instance()) <= baseline);
        sleepQuietly(5000); // longer than the execution limit: the loop would have asked for a second turn by now
        assertEquals(1, turns.get());
        assertTrue(sink.received().isEmpty(), "a cancelled trajectory was published");
    }

    private static double cancelledCount() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("aster_gateway_trajectories_total")
                        && l.contains("finish_reason=\"cancelled\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
