package ai.aster.trainer.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * {@code job.json} in a job's folder: what the job is and where it got, rewritten (atomically) on every change, so
 * that the job list survives a restart and a job cut short can be resumed with its own config.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobFile(String id, String type, JsonNode config, JobStatus status, int step, int totalSteps,
        Long policyVersion, String error, Instant createdAt, Instant startedAt, Instant finishedAt) {}
