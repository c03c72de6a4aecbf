package ai.aster.trainer.eval;

/** Told how a run advances: the command line draws a progress bar from it, the trainer's job keeps counts. */
public interface EvalProgress {

    /**
     * @param total   samples the run needs (problems x k)
     * @param already of them found in the run folder (a resumed run)
     * @param correct of those, graded correct
     */
    void started(int total, int already, int correct);

    /** Called once per finished sample (already in the journal), always from the run's own thread. */
    void sampleDone(SampleOutcome sample);

    EvalProgress NONE = new EvalProgress() {
        @Override
        public void started(int total, int already, int correct) {
        }

        @Override
        public void sampleDone(SampleOutcome sample) {
        }
    };
}
