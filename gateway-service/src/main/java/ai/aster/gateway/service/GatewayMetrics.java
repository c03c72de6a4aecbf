package ai.aster.gateway.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The gateway's meters (Prometheus at {@code /q/metrics}): requests by status, trajectory duration, tool calls
 * per trajectory, format errors, finish reasons, time to first token, gateway overhead per turn, dropped trajectories.
 */
@ApplicationScoped
public class GatewayMetrics {

    private final MeterRegistry registry;
    private final Timer timeToFirstToken;
    private final Timer trajectoryDuration;
    private final DistributionSummary toolCallsPerTrajectory;
    private final DistributionSummary overheadPerTurn;
    private final Counter formatErrors;
    private final Counter published;
    private final Counter dropped;

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.timeToFirstToken = Timer.builder("gen_ai.server.time_to_first_token")
                .description("Time from request arrival to the first generated text at the gateway")
                .publishPercentileHistogram().register(registry);
        this.trajectoryDuration = Timer.builder("aster.gateway.trajectory.duration")
                .description("Wall-clock duration of a trajectory, all turns and tool calls")
                .publishPercentileHistogram().register(registry);
        this.toolCallsPerTrajectory = DistributionSummary.builder("aster.gateway.trajectory.tool_calls")
                .description("Code executions per trajectory").register(registry);
        this.overheadPerTurn = DistributionSummary.builder("aster.gateway.turn.overhead")
                .description("Time spent in the gateway per turn (trajectory time minus model and sandbox time)")
                .baseUnit("microseconds").publishPercentiles(0.5, 0.99).register(registry);
        this.formatErrors = Counter.builder("aster.gateway.format_errors")
                .description("Malformed tool calls answered with an error result").register(registry);
        this.published = Counter.builder("aster.gateway.trajectories.published")
                .description("Trajectories acknowledged by Kafka").register(registry);
        this.dropped = Counter.builder("aster.gateway.trajectories.dropped")
                .description("Trajectories not published: buffer full or Kafka failed after retries")
                .register(registry);
    }

    public void request(int status) {
        registry.counter("aster.gateway.requests", "status", Integer.toString(status)).increment();
    }

    public void firstToken(Duration sinceArrival) {
        timeToFirstToken.record(sinceArrival);
    }

    public void trajectoryEnded(TrajectoryOutcome outcome) {
        registry.counter("aster.gateway.trajectories", "finish_reason", outcome.finishReason()).increment();
        trajectoryDuration.record(Duration.ofNanos(outcome.nanos().total()));
        var usage = outcome.trajectory().usage();
        toolCallsPerTrajectory.record(usage.toolCalls());
        formatErrors.increment(usage.formatErrors());
        if (outcome.nanos().turns() > 0) {
            overheadPerTurn.record(outcome.nanos().overheadPerTurnMicros());
        }
    }

    public void published() {
        published.increment();
    }

    public void dropped() {
        dropped.increment();
    }

    public double droppedCount() {
        return dropped.count();
    }
}
