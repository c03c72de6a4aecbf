package ai.aster.trainer.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A plain Kafka client for tests: publish to aster.trajectories, read the dead-letter topic, check the trainer's lag. */
public final class TrajectoryTopic implements AutoCloseable {

    public static final String TOPIC = "aster.trajectories";
    public static final String DLQ = "aster.trajectories.dlq";
    public static final String GROUP = "aster-trainer";

    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;

    public TrajectoryTopic(String bootstrap) {
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("linger.ms", "5");
        p.put("compression.type", "lz4"); // as the gateway publishes
        p.put("max.request.size", "16777216");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Publishes and waits until the broker has it. */
    public void publish(String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(TOPIC, key, value)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("publish failed", e);
        }
    }

    /** Publishes many and waits for all of them. */
    public void publishAll(List<Map.Entry<String, byte[]>> records) {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (Map.Entry<String, byte[]> r : records) {
            sent.add(producer.send(new ProducerRecord<>(TOPIC, r.getKey(), r.getValue())));
        }
        for (var f : sent) {
            try {
                f.get();
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException("publish failed", e);
            }
        }
    }

    /** True when the trainer's group has committed every offset of the trajectory topic (nothing left to process). */
    public boolean trainerCaughtUp() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get();
            var partitions = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            partitions.forEach(info -> latest.put(new TopicPartition(TOPIC, info.partition()), OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
            for (var end : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(end.getKey());
                if (c == null || c.offset() < end.getValue().offset()) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException | ExecutionException e) {
            return false;
        }
    }

    /** The dead-letter record with this key, if it is on the topic (reads from the beginning, up to the timeout). */
    public ConsumerRecord<String, byte[]> deadLetter(String key, Duration timeout) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "trainer-test-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(DLQ));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        return r;
                    }
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        producer.close();
    }
}
