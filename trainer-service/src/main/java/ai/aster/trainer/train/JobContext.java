package ai.aster.trainer.train;

import ai.aster.modeling.train.PolicyTrainer;
import java.nio.file.Path;
import java.util.OptionalLong;

/** What a {@link TrainingRun} gets from the job framework. One per job; used from the job's thread only. */
public interface JobContext {

    /** The job's id (as {@code GET /v1/jobs/{id}} names it). */
    String jobId();

    /**
     * The job's folder (under the model service's checkpoint root, so its checkpoints can be hot-reloaded):
     * {@code steps.jsonl}, the PNG curves, and {@code checkpoints/step-NNNNNN/}.
     */
    Path directory();

    /** True once the job was asked to stop ({@code DELETE /v1/jobs/{id}}): finish the step in progress and return. */
    boolean cancelled();

    /**
     * A trainer for this job: resumed from the job folder's newest checkpoint when there is one (model, AdamW state,
     * step and schedule), else a fresh one over the model folder {@code initialModel}. The caller closes it.
     */
    PolicyTrainer openTrainer(Path initialModel, PolicyTrainer.Options options);

    /**
     * Records a finished optimizer step: appended to {@code steps.jsonl}, exported on {@code /q/metrics}, redrawn in
     * the PNG curves, shown by {@code GET /v1/jobs/{id}} and the command line's progress bar.
     */
    void stepFinished(StepRecord record);

    /**
     * Writes a checkpoint of {@code trainer} at its current step into the job folder and, when the job syncs
     * weights, loads it into the model service ({@code POST /v1/weights}). Returns the model service's new
     * {@code policy_version}, or empty when the job does not sync weights.
     */
    OptionalLong checkpoint(PolicyTrainer trainer);
}
