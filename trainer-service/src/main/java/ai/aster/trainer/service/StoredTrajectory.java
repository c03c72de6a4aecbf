package ai.aster.trainer.service;

import java.time.Instant;

/**
 * One row of the trajectory store: the indexed columns and the whole document (JSON text).
 *
 * @param reward  1/0 from grading when the trajectory had a reference answer, else what was published (may be null)
 * @param correct the grader's verdict; null when there was no reference answer
 */
public record StoredTrajectory(
        String id,
        Instant createdAt,
        String source,
        String model,
        Long policyVersion,
        String problemId,
        int toolCalls,
        int formatErrors,
        String finishReason,
        int completionTokens,
        Double reward,
        Boolean correct,
        String document) {}
