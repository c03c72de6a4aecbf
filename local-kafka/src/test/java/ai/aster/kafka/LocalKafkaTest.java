package ai.aster.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaTest {

    @TempDir
    Path dataDir;

    @Test
    void brokerStoresRecordsAcrossARestart() throws Exception {
        int port = LocalKafka.freePort();
        int controllerPort = LocalKafka.freePort();
        try (LocalKafka broker = LocalKafka.start(dataDir, port, controllerPort, LocalKafka.defaultLibDir())) {
            try (var producer = new KafkaProducer<String, String>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("aster.test", "t-1", "{\"id\":\"t-1\"}")).get();
            }
            assertEquals(List.of("t-1={\"id\":\"t-1\"}"), readAll(broker, "aster.test", 1));
        }
        // The same data folder again: formatted once, the record is still there.
        try (LocalKafka broker = LocalKafka.start(dataDir, port, controllerPort, LocalKafka.defaultLibDir())) {
            assertTrue(broker.isAlive());
            assertEquals(List.of("t-1={\"id\":\"t-1\"}"), readAll(broker, "aster.test", 1));
        }
    }

    @Test
    void missingJarsAreReportedWithTheFix() {
        var error = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> LocalKafka.start(dataDir, LocalKafka.freePort(), LocalKafka.freePort(), dataDir.resolve("nolib")));
        assertTrue(error.getMessage().contains("mvn -pl local-kafka package"), error.getMessage());
    }

    @Test
    void clusterIdIsTwentyTwoUrlSafeCharacters() {
        String id = LocalKafka.clusterId();
        assertEquals(22, id.length());
        assertFalse(id.contains("=") || id.contains("+") || id.contains("/"));
    }

    @Test
    void clusterIdNeverStartsWithADashThatTheFormatToolWouldReadAsAnOption() {
        // one random id in 64 starts with '-'; 5,000 draws miss that with probability about 1e-34
        for (int i = 0; i < 5_000; i++) {
            String id = LocalKafka.clusterId();
            assertFalse(id.startsWith("-"), id);
        }
    }

    private static List<String> readAll(LocalKafka broker, String topic, int expected) {
        Map<String, Object> config = Map.of("bootstrap.servers", broker.bootstrapServers(), "group.id",
                "test-" + System.nanoTime(), "auto.offset.reset", "earliest");
        List<String> seen = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    seen.add(record.key() + "=" + record.value());
                }
            }
        }
        return seen;
    }
}
