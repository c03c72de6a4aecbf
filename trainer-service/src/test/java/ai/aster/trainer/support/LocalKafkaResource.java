package ai.aster.trainer.support;

import ai.aster.kafka.LocalKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The launcher's single-node KRaft broker, in a fresh folder, as the trainer's Kafka. */
public class LocalKafkaResource implements QuarkusTestResourceLifecycleManager {

    private LocalKafka kafka;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createDirectories(Path.of("target")).resolve("kafka-" + System.nanoTime());
            kafka = LocalKafka.start(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(kafka, new TestInjector.MatchesType(LocalKafka.class));
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
