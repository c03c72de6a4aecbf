package ai.aster.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.aster.gateway.support.KafkaProfile;
import ai.aster.gateway.support.LocalKafkaResource;
import ai.aster.gateway.support.SandboxServiceResource;
import ai.aster.gateway.support.ScriptedModelResource;
import ai.aster.gateway.support.ScriptedModelServer;
import ai.aster.gateway.support.Scripts;
import ai.aster.kafka.LocalKafka;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.Turn;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Trajectories land on a real broker (the launcher's single-node KRaft Kafka), and from their token ids the exact
 * sequence the model saw is rebuilt, with a mask that keeps model tokens and drops tool tokens.
 */
@QuarkusTest
@TestProfile(KafkaProfile.class)
@WithTestResource(ScriptedModelResource.class)
@WithTestResource(SandboxServiceResource.class)
@WithTestResource(LocalKafkaResource.class)
class TrajectoryKafkaTest {

    ScriptedModelServer model;
    LocalKafka kafka;

    @Inject
    ObjectMapper json;

    @Test
    void trajectoriesArriveTokenExactWithAMask() throws Exception {
        model.script("kafka", Scripts::stateful);
        String id = given().contentType(ContentType.JSON).header("Authorization", "Bearer test-key")
                .body("{\"seed\":9,\"messages\":[{\"role\":\"user\",\"content\":\"[[script:kafka]] 2+3?\"}],"
                        + "\"problem_id\":\"k-1\",\"reference_answer\":\"5\"}")
                .post("/v1/chat/completions").then().statusCode(200).extract().path("id");

        Trajectory trajectory = consume(id);
        assertNotNull(trajectory, "no trajectory " + id + " on " + Trajectory.TOPIC);
        assertEquals("stop", trajectory.finishReason());
        assertEquals(ScriptedModelServer.POLICY_VERSION, trajectory.policyVersion());
        assertEquals("5", trajectory.finalAnswer());
        assertEquals(3, trajectory.turns().size());

        // rebuild the sequence: prompt, then per turn the model's tokens (trained) and the tool's (masked)
        List<Integer> sequence = new ArrayList<>(trajectory.promptTokenIds());
        List<Boolean> mask = new ArrayList<>(trajectory.promptTokenIds().stream().map(t -> false).toList());
        for (Turn turn : trajectory.turns()) {
            assertEquals(turn.completionTokenIds().size(), turn.completionLogprobs().size());
            for (int i = 0; i < turn.completionLogprobs().size(); i++) {
                assertEquals(ScriptedModelServer.logprob(i), turn.completionLogprobs().get(i), 1e-12);
            }
            sequence.addAll(turn.completionTokenIds());
            turn.completionTokenIds().forEach(t -> mask.add(true));
            if (turn.toolResult() != null) {
                sequence.addAll(turn.toolResult().tokenIds());
                turn.toolResult().tokenIds().forEach(t -> mask.add(false));
            }
        }
        ScriptedModelServer.Call last = model.calls("kafka").get(2);
        List<Integer> seen = new ArrayList<>(last.promptIds());
        seen.addAll(last.completionIds());
        assertEquals(seen, sequence);
        assertEquals(trajectory.usage().completionTokens(), (int) mask.stream().filter(b -> b).count());
        assertEquals(sequence.size(), trajectory.usage().promptTokens() + trajectory.usage().completionTokens());
    }

    private Trajectory consume(String id) throws Exception {
        Map<String, Object> config = Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id",
                "gateway-test-" + System.nanoTime(), "auto.offset.reset", "earliest");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Trajectory.TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (id.equals(record.key())) {
                        return json.readValue(record.value(), Trajectory.class);
                    }
                }
            }
        }
        return null;
    }
}
