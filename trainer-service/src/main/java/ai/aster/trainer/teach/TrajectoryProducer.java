package ai.aster.trainer.teach;

import ai.aster.protocol.trajectory.Trajectory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes trajectories to {@code aster.trajectories} as the gateway does (key = id, the JSON document, lz4,
 * 16 MiB requests), so the trainer stores them by the same path, idempotently by id. Each send waits for the
 * broker's acknowledgement: a trajectory reported stored was delivered.
 */
public final class TrajectoryProducer implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final ObjectMapper json;
    private final String bootstrapServers;

    public TrajectoryProducer(ObjectMapper json, String bootstrapServers) {
        this.json = json;
        this.bootstrapServers = bootstrapServers;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public void publish(Trajectory trajectory) {
        byte[] value;
        try {
            value = json.writeValueAsBytes(trajectory);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try {
            producer.send(new ProducerRecord<>(Trajectory.TOPIC, trajectory.id(), value)).get(90, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new TeachingException("cannot publish to Kafka at " + bootstrapServers + " (" + cause
                    + "); is the platform up? (./aster up)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TeachingException("interrupted", e);
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
