package ai.aster.trainer.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/** One item of {@code GET /v1/trajectories}: the indexed columns of a stored trajectory. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrajectorySummary(
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
        Boolean correct) {}
