package ai.aster.trainer.train;

/**
 * The kind-specific work of a training job (SFT, GRPO). It runs on the job's own thread, one optimizer step at a
 * time, and reports each step through its {@link JobContext}; the job framework owns everything around it (the
 * REST API, the folder, the step log, metrics, curves, checkpoints and weight sync).
 */
public interface TrainingRun {

    /**
     * Runs the job to its last step, or until {@link JobContext#cancelled()} turns true (then it returns after the
     * step in progress). A failure is thrown: the job ends {@code failed} with the exception's message.
     */
    void run(JobContext context) throws Exception;
}
