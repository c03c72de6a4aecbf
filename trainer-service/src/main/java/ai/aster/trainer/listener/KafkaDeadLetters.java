package ai.aster.trainer.listener;

import ai.aster.trainer.service.DeadLetters;
import ai.aster.trainer.service.IncomingRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Copies a record to {@code aster.trajectories.dlq} (same key, same bytes) with headers saying why and where it came
 * from (the header names of SmallRye's own dead-letter strategy), and waits until the broker has it, so that the
 * original's offset is committed only after its copy is safe.
 */
// created at start, so that its meters are on /q/metrics from the first scrape (observability/README.md)
@Startup
@ApplicationScoped
public class KafkaDeadLetters implements DeadLetters {

    private static final Logger LOG = Logger.getLogger(KafkaDeadLetters.class);
    private static final Duration SEND_TIMEOUT = Duration.ofMinutes(2);

    private final MutinyEmitter<byte[]> emitter;
    private final Counter deadLettered;

    public KafkaDeadLetters(@Channel("trajectories-dlq") MutinyEmitter<byte[]> emitter, MeterRegistry registry) {
        this.emitter = emitter;
        this.deadLettered = Counter.builder("aster.trainer.dlq.messages")
                .description("records of aster.trajectories sent to aster.trajectories.dlq").register(registry);
    }

    @Override
    public void send(IncomingRecord record, String reason) {
        LOG.warnf("dead-lettering %s-%d@%d (key %s): %s", record.topic(), record.partition(), record.offset(),
                record.key(), reason);
        RecordHeaders headers = new RecordHeaders();
        headers.add("dead-letter-reason", bytes(reason));
        headers.add("dead-letter-topic", bytes(record.topic()));
        headers.add("dead-letter-partition", bytes(Integer.toString(record.partition())));
        headers.add("dead-letter-offset", bytes(Long.toString(record.offset())));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.key()).withHeaders(headers).build();
        byte[] value = record.value() == null ? new byte[0] : record.value();
        emitter.sendMessage(Message.of(value).addMetadata(metadata)).await().atMost(SEND_TIMEOUT);
        deadLettered.increment();
    }

    private static byte[] bytes(String s) {
        return String.valueOf(s).getBytes(StandardCharsets.UTF_8);
    }
}
