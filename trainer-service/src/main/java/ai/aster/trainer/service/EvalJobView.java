package ai.aster.trainer.service;

import ai.aster.trainer.eval.EvalReport;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * {@code GET /v1/evals/{id}}: the job's state, its progress while it runs, then its report.
 *
 * @param status queued, running, completed, failed or interrupted
 * @param error  why it failed (or how to continue an interrupted run)
 * @param report the report once completed (the same document as the run folder's report.json)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalJobView(String id, String status, String benchmark, int k, Progress progress, Instant createdAt,
        Instant finishedAt, String error, EvalReport report) {

    /** Samples: needed (problems x k), finished (kept in the journal), graded correct. */
    public record Progress(int total, int done, int correct) {}
}
