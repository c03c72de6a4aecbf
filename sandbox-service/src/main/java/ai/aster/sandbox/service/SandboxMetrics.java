package ai.aster.sandbox.service;

import ai.aster.protocol.sandbox.ExecutionStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/** The service's meters on /q/metrics (Prometheus names get the usual suffixes, e.g. _total, _seconds). */
@ApplicationScoped
public class SandboxMetrics {

    private final MeterRegistry registry;
    private final Map<ExecutionStatus, Counter> executions = new EnumMap<>(ExecutionStatus.class);
    private final Timer duration;
    private final Counter created;
    private final Counter removed;

    public SandboxMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (ExecutionStatus status : ExecutionStatus.values()) {
            executions.put(status, Counter.builder("aster.sandbox.executions")
                    .description("Executions by how they ended")
                    .tag("status", status.wireName())
                    .register(registry));
        }
        duration = Timer.builder("aster.sandbox.execution.duration")
                .description("Wall time of an execution in the service, from admission to answer")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        created = Counter.builder("aster.sandbox.containers.created")
                .description("Sandbox containers created").register(registry);
        removed = Counter.builder("aster.sandbox.containers.removed")
                .description("Sandbox containers removed").register(registry);
    }

    void executed(ExecutionStatus status, Duration took) {
        executions.get(status).increment();
        duration.record(took);
    }

    void containerCreated() {
        created.increment();
    }

    void containerRemoved() {
        removed.increment();
    }

    void gauge(String name, String description, Supplier<Number> value) {
        io.micrometer.core.instrument.Gauge.builder(name, value).description(description).register(registry);
    }
}
