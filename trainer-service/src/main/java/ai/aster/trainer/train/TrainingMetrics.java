package ai.aster.trainer.train;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The training half of observability/README.md's trainer-service contract, on {@code /q/metrics}: the published
 * policy version, which kind of job runs, the last step's batch statistics and the time per step phase.
 */
@ApplicationScoped
public class TrainingMetrics {

    /** The {@code kind} tag values of {@code aster.trainer.job.running}. */
    public static final java.util.List<String> KINDS = java.util.List.of("sft", "grpo");

    /** Contract gauge name, StepRecord metric key. */
    private static final Map<String, String> STEP_GAUGES = Map.of(
            "aster.trainer.reward.mean", "reward_mean",
            "aster.trainer.accuracy", "accuracy",
            "aster.trainer.tool_calls.mean", "tool_calls_mean",
            "aster.trainer.response_tokens.mean", "response_tokens_mean",
            "aster.trainer.clip_fraction", "clip_fraction");

    private final MeterRegistry registry;
    private final AtomicLong policyVersion = new AtomicLong();
    private final Map<String, AtomicLong> running = new ConcurrentHashMap<>();
    private final AtomicReference<StepRecord> last = new AtomicReference<>();
    private final Map<String, Timer> phases = new ConcurrentHashMap<>();

    public TrainingMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("aster.trainer.policy_version", policyVersion, AtomicLong::doubleValue)
                .description("the last policy version the trainer published (POST /v1/weights)").register(registry);
        for (String kind : KINDS) {
            AtomicLong flag = running.computeIfAbsent(kind, k -> new AtomicLong());
            Gauge.builder("aster.trainer.job.running", flag, AtomicLong::doubleValue).tag("kind", kind)
                    .description("1 while a job of that kind runs, else 0").register(registry);
        }
        STEP_GAUGES.forEach((name, key) -> Gauge.builder(name, last, r -> value(r.get(), key))
                .description("the last training step's " + key).register(registry));
        for (String phase : new String[] {"rollout", "reward", "forward_backward", "optimizer", "weights_sync"}) {
            phase(phase);
        }
    }

    private static double value(StepRecord record, String key) {
        if (record == null) {
            return Double.NaN;
        }
        Double v = record.metrics().get(key);
        return v == null ? Double.NaN : v;
    }

    private Timer phase(String phase) {
        return phases.computeIfAbsent(phase, p -> Timer.builder("aster.trainer.step").tag("phase", p)
                .description("time per training step phase").register(registry));
    }

    void jobStarted(String kind) {
        running.computeIfAbsent(kind, k -> new AtomicLong()).set(1);
    }

    void jobEnded(String kind) {
        AtomicLong flag = running.get(kind);
        if (flag != null) {
            flag.set(0);
        }
    }

    void stepFinished(StepRecord record) {
        last.set(record);
        record.seconds().forEach((phase, seconds) -> {
            if (seconds != null && seconds >= 0 && Double.isFinite(seconds)) {
                phase(phase).record(Duration.ofNanos((long) (seconds * 1e9)));
            }
        });
    }

    void published(long version) {
        policyVersion.set(version);
    }
}
