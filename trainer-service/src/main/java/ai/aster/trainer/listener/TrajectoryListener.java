package ai.aster.trainer.listener;

import ai.aster.trainer.service.IncomingRecord;
import ai.aster.trainer.service.StoreUnavailableException;
import ai.aster.trainer.service.TrajectoryIngest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code aster.trajectories} in batches. The method returns (and the batch is acknowledged, so its offsets
 * may be committed) only after every record is stored or dead-lettered: at least once, and exactly once in effect
 * because storing is an upsert by id. While the database is unreachable the same batch is retried with a growing
 * pause; the consumer never stops.
 */
// created at start, so that its meters are on /q/metrics from the first scrape (observability/README.md)
@Startup
@ApplicationScoped
public class TrajectoryListener {

    private static final Logger LOG = Logger.getLogger(TrajectoryListener.class);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final TrajectoryIngest ingest;
    private final Counter stored;

    public TrajectoryListener(TrajectoryIngest ingest, MeterRegistry registry) {
        this.ingest = ingest;
        this.stored = Counter.builder("aster.trainer.trajectories.stored")
                .description("trajectories upserted into the store (re-deliveries included)").register(registry);
    }

    @Incoming("trajectories")
    @Blocking
    public void consume(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        List<IncomingRecord> batch = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> r : records) {
            batch.add(new IncomingRecord(r.topic(), r.partition(), r.offset(), r.key(), r.value()));
        }
        List<TrajectoryIngest.Prepared> prepared = ingest.prepare(batch);
        Duration pause = FIRST_PAUSE;
        while (true) {
            try {
                TrajectoryIngest.Outcome outcome = ingest.store(prepared);
                stored.increment(outcome.stored());
                return;
            } catch (StoreUnavailableException e) {
                LOG.warnf("%s; retrying %d trajectories in %d ms", e.getMessage(), prepared.size(), pause.toMillis());
                Thread.sleep(pause.toMillis()); // backoff toward a database that is down, not a wait for a result
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            }
        }
    }
}
