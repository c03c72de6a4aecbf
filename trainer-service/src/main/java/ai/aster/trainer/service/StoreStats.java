package ai.aster.trainer.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * {@code GET /v1/stats}. {@code accuracy} is correct / graded over trajectories that had a reference answer (null
 * when none had); {@code tool_calls_histogram} maps a tool-call count to how many trajectories made that many.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StoreStats(
        long total,
        Map<String, Long> bySource,
        Map<String, Long> byFinishReason,
        Map<String, Long> toolCallsHistogram,
        long graded,
        long correct,
        Double accuracy) {}
