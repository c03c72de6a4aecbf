package ai.aster.trainer.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * A training job as {@code GET /v1/jobs/{id}} shows it.
 *
 * @param step          the last finished optimizer step (0 before the first)
 * @param last          that step's record (metrics, seconds by phase), null before the first
 * @param policyVersion the model service's version after this job's last weight sync, null without one
 * @param folder        the job's folder: job.json, steps.jsonl, the PNG curves, checkpoints/
 * @param curves        the curve names, each at {@code GET /v1/jobs/{id}/curves/{name}.png} and {@code <name>.png}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobView(String id, String type, JobStatus status, int step, int totalSteps, StepRecord last,
        Long policyVersion, String error, String folder, List<String> curves, Instant createdAt, Instant startedAt,
        Instant finishedAt, JsonNode config) {}
