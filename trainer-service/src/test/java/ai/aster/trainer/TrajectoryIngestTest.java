package ai.aster.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.aster.kafka.LocalKafka;
import ai.aster.trainer.support.LocalKafkaResource;
import ai.aster.trainer.support.TrajectoryTopic;
import ai.aster.trainer.support.Trajectories;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka to PostgreSQL through a real broker and a real PostgreSQL (embedded, or the server in ASTER_DB_URL): every
 * trajectory stored once however often it is delivered, poison to the dead-letter topic without stopping the
 * consumer, grading on ingest. Each test uses its own problem_id, so a shared external database does not matter.
 */
// Awaits ignore exceptions thrown on other threads (awaitility would fail on them): the grading library's Symja
// warm-up can throw on its own pool threads, which says nothing about the store.
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class TrajectoryIngestTest {

    private static final Duration LONG = Duration.ofMinutes(5);

    LocalKafka kafka;

    @Inject
    AgroalDataSource dataSource;

    private TrajectoryTopic topic;
    private final String run = UUID.randomUUID().toString();

    @BeforeEach
    void connect() {
        topic = new TrajectoryTopic(kafka.bootstrapServers());
    }

    @AfterEach
    void disconnect() {
        topic.close();
    }

    @Test
    void aThousandTrajectoriesAreStoredOnceAndAgainStillOnce() throws Exception {
        String problem = "thousand-" + run;
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String id = problem + "-" + i;
            records.add(Map.entry(id, Trajectories.bytes(Trajectories.trajectory(id, problem, 3, i))));
        }
        topic.publishAll(records);
        await().dontCatchUncaughtExceptions().atMost(LONG).until(() -> count(problem) == 1000);
        await().dontCatchUncaughtExceptions().atMost(LONG).until(topic::trainerCaughtUp);

        topic.publishAll(records);
        // the trainer has processed (and committed) the second thousand too: still a thousand rows
        await().dontCatchUncaughtExceptions().atMost(LONG).until(topic::trainerCaughtUp);
        assertThat(count(problem)).isEqualTo(1000);
        assertThat(distinctIds(problem)).isEqualTo(1000);
    }

    @Test
    void aPoisonMessageGoesToTheDeadLetterTopicAndTheNextGoodOneIsStored() {
        String problem = "poison-" + run;
        String poisonKey = "poison-" + run;
        topic.publish(poisonKey, "{not json".getBytes(StandardCharsets.UTF_8));
        String notATrajectory = "no-id-" + run;
        topic.publish(notATrajectory, "{\"source\":\"api\"}".getBytes(StandardCharsets.UTF_8));
        String good = "good-" + run;
        topic.publish(good, Trajectories.bytes(Trajectories.trajectory(good, problem, 2, 7)));

        await().dontCatchUncaughtExceptions().atMost(LONG).until(() -> count(problem) == 1);
        ConsumerRecord<String, byte[]> dead = topic.deadLetter(poisonKey, LONG);
        assertThat(dead).as("poison on " + TrajectoryTopic.DLQ).isNotNull();
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(header(dead, "dead-letter-reason")).startsWith("not JSON");
        assertThat(header(dead, "dead-letter-topic")).isEqualTo(TrajectoryTopic.TOPIC);
        ConsumerRecord<String, byte[]> noId = topic.deadLetter(notATrajectory, LONG);
        assertThat(noId).isNotNull();
        assertThat(header(noId, "dead-letter-reason")).isEqualTo("missing id");
    }

    @Test
    void aTrajectoryWithAReferenceAnswerIsGradedOnIngest() throws Exception {
        String problem = "graded-" + run;
        ObjectNode right = Trajectories.trajectory(problem + "-right", problem, 2, 1);
        right.put("reference_answer", "5");
        ObjectNode wrong = Trajectories.trajectory(problem + "-wrong", problem, 2, 2);
        wrong.put("reference_answer", "6");
        ObjectNode ungraded = Trajectories.trajectory(problem + "-none", problem, 2, 3);
        topic.publish(right.get("id").asText(), Trajectories.bytes(right));
        topic.publish(wrong.get("id").asText(), Trajectories.bytes(wrong));
        topic.publish(ungraded.get("id").asText(), Trajectories.bytes(ungraded));
        await().dontCatchUncaughtExceptions().atMost(LONG).until(() -> count(problem) == 3);

        assertThat(verdict(problem + "-right")).isEqualTo("1.0/true/1.0");
        assertThat(verdict(problem + "-wrong")).isEqualTo("0.0/false/0.0");
        assertThat(verdict(problem + "-none")).isEqualTo("null/null/null");
    }

    private long count(String problem) throws SQLException {
        return queryLong("SELECT count(*) FROM trajectories WHERE problem_id = ?", problem);
    }

    private long distinctIds(String problem) throws SQLException {
        return queryLong("SELECT count(DISTINCT id) FROM trajectories WHERE problem_id = ?", problem);
    }

    private long queryLong(String sql, String param) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** reward column / correct column / reward inside the stored document. */
    private String verdict(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT reward, correct, document->>'reward' FROM trajectories WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getObject(1) + "/" + rs.getObject(2) + "/" + rs.getString(3);
            }
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
