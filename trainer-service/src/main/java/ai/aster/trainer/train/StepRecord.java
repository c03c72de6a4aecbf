package ai.aster.trainer.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * One optimizer step as a job logs it (a line of {@code steps.jsonl}).
 *
 * @param step               the optimizer step (1 for the first; continues across a resume)
 * @param totalSteps         the steps the job will run in all
 * @param metrics            by name, e.g. {@code loss}, {@code grad_norm}, {@code lr}, {@code tokens},
 *                           {@code reward_mean}, {@code accuracy}, {@code tool_calls_mean},
 *                           {@code response_tokens_mean}, {@code format_errors}, {@code clip_fraction},
 *                           {@code approx_kl}, {@code entropy}, {@code groups_dropped}, {@code turns_skipped},
 *                           {@code policy_version}
 * @param seconds            wall time by phase, the {@code phase} tag values of observability/README.md's trainer
 *                           contract: {@code rollout}, {@code reward}, {@code forward_backward},
 *                           {@code optimizer}, {@code weights_sync} (SFT has no rollout or reward)
 * @param toolCallsHistogram GRPO: trajectories by tool-call count in this step's rollouts; empty for SFT
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // steps.jsonl and the API: total_steps, ...
public record StepRecord(int step, int totalSteps, Map<String, Double> metrics, Map<String, Double> seconds,
        Map<Integer, Integer> toolCallsHistogram) {

    public StepRecord {
        metrics = Map.copyOf(metrics);
        seconds = Map.copyOf(seconds);
        toolCallsHistogram = toolCallsHistogram == null ? Map.of() : Map.copyOf(toolCallsHistogram);
    }
}
