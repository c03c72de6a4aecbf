package ai.aster.trainer.service;

import java.time.Instant;
import java.util.Set;

/**
 * Filters and page of {@code GET /v1/trajectories}; null means "any". Pages walk newest first by
 * (created_at, id), starting after {@code after} (the decoded cursor) when given.
 */
public record TrajectoryQuery(
        String source,
        String problemId,
        String model,
        Long minPolicyVersion,
        Long maxPolicyVersion,
        Integer minToolCalls,
        Integer maxToolCalls,
        String finishReason,
        Boolean correct,
        Instant since,
        PageCursor after,
        int limit) {

    /** The values of the {@code source} filter. */
    public static final Set<String> SOURCES = Set.of("api", "rollout", "eval", "sft");
    /** The values of the {@code finish_reason} filter. */
    public static final Set<String> FINISH_REASONS = Set.of("stop", "length", "max_tool_calls", "deadline", "error",
            "tool_calls");
}
