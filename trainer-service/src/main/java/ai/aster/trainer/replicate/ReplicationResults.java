package ai.aster.trainer.replicate;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * What a replication run measured, written as {@code results.json}; the report and the plots are drawn from it.
 *
 * @param stageSeconds wall time per stage, in the order they ran (prepare and the platform's start included)
 * @param best         the evaluation with the highest held-out avg@k
 * @param bestNoTools  the best checkpoint evaluated again with {@code max_tool_calls: 0}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ReplicationResults(String preset, String command, String commit, long seed, long parameters,
        ReplicateSettings settings, Teaching teaching, List<SettingResult> settingResults, EvalPoint best,
        EvalPoint bestNoTools, String bestCopy, Map<String, Double> stageSeconds, double totalSeconds,
        String loadAtStart, String loadAtEnd) {

    /**
     * The SFT data of the two arms.
     *
     * @param denseTokens  completion tokens (what SFT learns) of the dense trajectories
     * @param failed       problems the teacher could not solve (left out)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Teaching(int denseTrajectories, long denseTokens, double denseToolCalls, int sparseTrajectories,
            long sparseTokens, int failed) {}

    /**
     * One RL setting: an arm's cold start trained by GRPO with a budget, evaluated along the way.
     *
     * @param id     {@code dense-b8}, {@code sparse-b8}, {@code dense-b1}
     * @param points the held-out evaluations, by RL step (0 = the SFT checkpoint)
     * @param rlStopped null when GRPO ran all its steps; else why it stopped early (e.g. no group of rollouts
     *                  scored differently: a cold start that is always wrong gives RL no signal), a measured outcome
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SettingResult(String id, String arm, int budget, String sftJob, String grpoJob,
            List<EvalPoint> points, String rlStopped) {

        public EvalPoint last() {
            return points.getLast();
        }

        public String label() {
            return arm + ", budget " + budget;
        }
    }
}
