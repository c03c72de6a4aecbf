package ai.aster.trainer.train;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Makes the {@link TrainingRun} of one job type ({@code sft}, {@code grpo}) from the job's {@code config} object.
 * One CDI bean per type; the job framework finds them all and dispatches on {@link #type()}.
 */
public interface TrainingRunFactory {

    /** The job type this factory makes, as {@code POST /v1/jobs} names it. */
    String type();

    /**
     * Validates {@code config} and makes the run. A bad config throws
     * {@link ai.aster.trainer.service.InvalidRequestException} naming the field: the API answers 400 with that
     * message before any job starts.
     */
    TrainingRun create(JsonNode config);

    /**
     * Whether a job of this type loads its checkpoints into the model service when its config has no
     * {@code sync_weights}: GRPO must (its next rollouts need the new policy), SFT need not.
     */
    default boolean syncWeightsByDefault() {
        return false;
    }
}
