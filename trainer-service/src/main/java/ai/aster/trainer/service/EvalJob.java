package ai.aster.trainer.service;

import ai.aster.trainer.eval.EvalProgress;
import ai.aster.trainer.eval.EvalReport;
import ai.aster.trainer.eval.SampleOutcome;
import java.time.Instant;

/** The live state of one evaluation job; the runner advances it through {@link EvalProgress}. */
public final class EvalJob implements EvalProgress {

    /** queued, running, completed, failed; interrupted = found on disk unfinished (the service stopped mid-run). */
    public enum Status { QUEUED, RUNNING, COMPLETED, FAILED, INTERRUPTED }

    private final String id;
    private final String benchmark;
    private final int k;
    private final Instant createdAt;
    private volatile Status status = Status.QUEUED;
    private volatile int total;
    private volatile int done;
    private volatile int correct;
    private volatile EvalReport report;
    private volatile String error;
    private volatile Instant finishedAt;

    public EvalJob(String id, String benchmark, int k, int total, Instant createdAt) {
        this.id = id;
        this.benchmark = benchmark;
        this.k = k;
        this.total = total;
        this.createdAt = createdAt;
    }

    /** A snapshot, safe to serialise while the job runs. */
    public EvalJobView view() {
        return new EvalJobView(id, status.name().toLowerCase(java.util.Locale.ROOT), benchmark, k,
                new EvalJobView.Progress(total, done, correct), createdAt, finishedAt, error, report);
    }

    public String id() {
        return id;
    }

    void running() {
        status = Status.RUNNING;
    }

    void completed(EvalReport result) {
        report = result;
        finishedAt = Instant.now();
        status = Status.COMPLETED;
    }

    void failed(String message) {
        error = message;
        finishedAt = Instant.now();
        status = Status.FAILED;
    }

    void interrupted(int samplesKept, int correctKept) {
        done = samplesKept;
        correct = correctKept;
        error = "the service stopped before this run finished; POST /v1/evals/" + id + "/resume continues it";
        status = Status.INTERRUPTED;
    }

    @Override
    public void started(int totalSamples, int already, int alreadyCorrect) {
        total = totalSamples;
        done = already;
        correct = alreadyCorrect;
    }

    @Override
    public void sampleDone(SampleOutcome sample) {
        // one thread (the run's own) calls this: plain increments of volatile fields are enough
        done++;
        if (sample.correct()) {
            correct++;
        }
    }
}
