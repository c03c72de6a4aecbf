package ai.aster.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.aster.kafka.LocalKafka;
import ai.aster.trainer.support.TrainerProcess;
import ai.aster.trainer.support.TrajectoryTopic;
import ai.aster.trainer.support.Trajectories;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The packaged trainer killed with SIGKILL in the middle of a stream and started again on the same data directory
 * (its embedded PostgreSQL left running, or a stale postmaster.pid): every trajectory stored, none twice.
 */
class TrainerCrashIT {

    private static final int HALF = 1500;
    private static final Duration LONG = Duration.ofMinutes(8);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void killedMidStreamAndRestartedLosesNothingAndDoublesNothing() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "crash-it-" + System.nanoTime()));
        String problem = "crash-" + UUID.randomUUID();
        try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"));
                TrajectoryTopic topic = new TrajectoryTopic(kafka.bootstrapServers())) {
            Path log = dir.resolve("trainer.log");
            TrainerProcess trainer = TrainerProcess.start(kafka.bootstrapServers(), dir.resolve("postgres"), log);
            long before = total(trainer);

            topic.publishAll(batch(problem, 0, HALF));
            TrainerProcess first = trainer;
            await().atMost(LONG).pollInterval(Duration.ofMillis(50)).until(() -> total(first) > before);
            long atKill = total(trainer) - before;
            trainer.kill();

            // the second half arrives while the trainer is dead
            topic.publishAll(batch(problem, HALF, 2 * HALF));
            trainer = TrainerProcess.start(kafka.bootstrapServers(), dir.resolve("postgres"), log);
            TrainerProcess second = trainer;
            await().atMost(LONG).pollInterval(Duration.ofSeconds(1)).until(() -> ids(second, problem).size() == 2 * HALF);
            await().atMost(LONG).pollInterval(Duration.ofSeconds(1)).until(topic::trainerCaughtUp);

            Set<String> stored = ids(trainer, problem);
            assertThat(stored).hasSize(2 * HALF);
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 2 * HALF; i++) {
                expected.add(problem + "-" + i);
            }
            assertThat(stored).isEqualTo(expected);
            assertThat(total(trainer) - before).isEqualTo(2 * HALF);
            assertThat(atKill).as("killed mid-stream").isGreaterThan(0).isLessThan(2 * HALF);
            trainer.stop();
        }
    }

    private static List<Map.Entry<String, byte[]>> batch(String problem, int from, int to) {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String id = problem + "-" + i;
            records.add(Map.entry(id, Trajectories.bytes(Trajectories.trajectory(id, problem, 3, i))));
        }
        return records;
    }

    private static long total(TrainerProcess trainer) throws Exception {
        return JSON.readTree(trainer.get("/v1/stats")).get("total").asLong();
    }

    /** Every id stored for the problem, walking the pages (a duplicate id on two pages would fail the walk). */
    private static Set<String> ids(TrainerProcess trainer, String problem) throws Exception {
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            JsonNode page = JSON.readTree(trainer.get("/v1/trajectories?limit=1000&problem_id=" + problem
                    + (cursor == null ? "" : "&cursor=" + cursor)));
            for (JsonNode item : page.get("data")) {
                if (!ids.add(item.get("id").asText())) {
                    throw new AssertionError("id listed twice: " + item.get("id").asText());
                }
            }
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        return ids;
    }
}
