package ai.aster.trainer.service;

import java.time.Instant;

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
        int limit) {}
