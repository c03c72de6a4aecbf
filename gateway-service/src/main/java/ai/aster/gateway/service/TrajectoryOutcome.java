package ai.aster.gateway.service;

import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.trajectory.Trajectory;

/**
 * How a trajectory ended.
 *
 * @param finishReason stop, length, tool_calls, max_tool_calls, deadline, error, or cancelled (client gone)
 * @param failure      why it ended with {@code error} (null otherwise)
 * @param nanos        precise timings, for the overhead metric and the benchmark
 */
public record TrajectoryOutcome(
        ChatMessage message, String finishReason, Trajectory trajectory, RuntimeException failure, Nanos nanos) {

    public boolean failed() {
        return failure != null;
    }

    /** Wall-clock split in nanoseconds, and the number of turns. */
    public record Nanos(long total, long model, long tool, int turns) {

        /** Time spent in the gateway itself per turn, in microseconds. */
        public double overheadPerTurnMicros() {
            return turns == 0 ? 0 : (total - model - tool) / 1000.0 / turns;
        }
    }
}
