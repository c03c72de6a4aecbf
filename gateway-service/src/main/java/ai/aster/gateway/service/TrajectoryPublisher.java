package ai.aster.gateway.service;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.protocol.trajectory.Trajectory;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes finished trajectories to Kafka ({@code aster.trajectories}, key = trajectory id) without ever making a
 * response wait: at most {@code publish-buffer-size} are in flight, the producer retries, and whatever is refused
 * or fails for good is dropped and counted ({@code aster_gateway_trajectories_dropped_total}).
 */
@ApplicationScoped
public class TrajectoryPublisher {

    private static final Logger LOG = Logger.getLogger(TrajectoryPublisher.class);

    private final MutinyEmitter<Trajectory> emitter;
    private final GatewayMetrics metrics;
    private final int capacity;
    private final AtomicInteger inFlight = new AtomicInteger();

    public TrajectoryPublisher(
            @Channel("trajectories") @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<Trajectory> emitter,
            GatewayMetrics metrics, GatewayConfig config) {
        this.emitter = emitter;
        this.metrics = metrics;
        this.capacity = config.publishBufferSize();
    }

    public void publish(Trajectory trajectory) {
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            metrics.dropped();
            LOG.warnf("trajectory %s dropped: %d already waiting for Kafka", trajectory.id(), capacity);
            return;
        }
        Message<Trajectory> message = Message.of(trajectory,
                        Metadata.of(OutgoingKafkaRecordMetadata.<String>builder().withKey(trajectory.id()).build()))
                .withAck(() -> {
                    inFlight.decrementAndGet();
                    metrics.published();
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    inFlight.decrementAndGet();
                    metrics.dropped();
                    LOG.warnf("trajectory %s dropped: %s", trajectory.id(), failure.getMessage());
                    return CompletableFuture.completedFuture(null);
                });
        try {
            emitter.sendMessageAndForget(message);
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            metrics.dropped();
            LOG.warnf("trajectory %s dropped: %s", trajectory.id(), e.getMessage());
        }
    }

    /** Trajectories handed to Kafka and not yet acknowledged. */
    public int inFlight() {
        return inFlight.get();
    }
}
