package ai.aster.trainer.listener;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code aster.trainer.consumer.lag}: records on {@code aster.trajectories} not yet stored, i.e. the topic's end
 * offsets minus the offsets the ingest committed (it commits only stored batches). Measured with a Kafka admin
 * client every {@value #PERIOD_S} s off the scrape path, so a scrape never waits on Kafka; NaN until first known.
 */
@Startup
@ApplicationScoped
public class ConsumerLag {

    private static final Logger LOG = Logger.getLogger(ConsumerLag.class);
    private static final long PERIOD_S = 10;

    private final String topic;
    private final String group;
    private final Admin admin;
    private final AtomicReference<Double> lag = new AtomicReference<>(Double.NaN);
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("consumer-lag").daemon().factory());

    public ConsumerLag(MeterRegistry registry,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "mp.messaging.incoming.trajectories.topic") String topic,
            @ConfigProperty(name = "mp.messaging.incoming.trajectories.group.id") String group) {
        this.topic = topic;
        this.group = group;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "aster-trainer-lag");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        this.admin = Admin.create(props);
        Gauge.builder("aster.trainer.consumer.lag", lag, AtomicReference::get)
                .description("records on " + topic + " not yet stored").register(registry);
        thread.scheduleWithFixedDelay(this::measure, 0, PERIOD_S, TimeUnit.SECONDS);
    }

    private void measure() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            var description = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()),
                    OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(10, TimeUnit.SECONDS);
            long total = 0;
            for (var e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                total += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
            }
            lag.set((double) total);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the topic may not exist yet, or Kafka is down (its own alerts say so): keep the last value
            LOG.debugf("consumer lag not measured: %s", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        thread.shutdownNow();
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
