package ai.aster.trainer.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * One training job's state in memory; every change is written through to its {@code job.json}. Changed by the
 * training thread and the API threads, hence synchronized.
 */
final class TrainingJob {

    private final String id;
    private final String type;
    private final JobFolder folder;
    private JsonNode config;
    private JobStatus status;
    private int step;
    private int totalSteps;
    private StepRecord last;
    private Long policyVersion;
    private String error;
    private Instant createdAt;
    private Instant startedAt;
    private Instant finishedAt;
    private List<String> curves = List.of();
    private volatile boolean cancelRequested;

    TrainingJob(String id, String type, JsonNode config, JobFolder folder) {
        this.id = id;
        this.type = type;
        this.config = config;
        this.folder = folder;
        this.status = JobStatus.QUEUED;
        this.createdAt = Instant.now();
    }

    /** A job of an earlier life of the service, from its folder. */
    static TrainingJob restore(JobFile file, JobFolder folder, List<StepRecord> steps) {
        TrainingJob job = new TrainingJob(file.id(), file.type(), file.config(), folder);
        job.status = file.status();
        job.step = file.step();
        job.totalSteps = file.totalSteps();
        job.policyVersion = file.policyVersion();
        job.error = file.error();
        job.createdAt = file.createdAt();
        job.startedAt = file.startedAt();
        job.finishedAt = file.finishedAt();
        job.last = steps.isEmpty() ? null : steps.getLast();
        job.curves = TrainingCurves.names(steps);
        return job;
    }

    String id() {
        return id;
    }

    String type() {
        return type;
    }

    JobFolder folder() {
        return folder;
    }

    synchronized JsonNode config() {
        return config;
    }

    synchronized JobStatus status() {
        return status;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** Again in the queue: resumed with {@code newConfig}, from the step its checkpoint holds. */
    synchronized void requeue(JsonNode newConfig) {
        config = newConfig;
        status = JobStatus.QUEUED;
        error = null;
        finishedAt = null;
        cancelRequested = false;
        persist();
    }

    synchronized void started() {
        status = JobStatus.RUNNING;
        startedAt = Instant.now();
        persist();
    }

    /** The step log was cut back to {@code resumedStep} (the newest checkpoint) for a resume. */
    synchronized void resumedAt(int resumedStep, List<StepRecord> kept) {
        step = resumedStep;
        last = kept.isEmpty() ? null : kept.getLast();
        curves = TrainingCurves.names(kept);
        persist();
    }

    synchronized void stepFinished(StepRecord record, List<String> curveNames) {
        step = record.step();
        totalSteps = record.totalSteps();
        last = record;
        curves = curveNames;
        persist();
    }

    synchronized void published(long version) {
        policyVersion = version;
        persist();
    }

    /**
     * Asks a running job to stop after its step, or drops a queued one.
     *
     * @return true when the job was queued and is now cancelled
     */
    synchronized boolean cancel() {
        if (status == JobStatus.QUEUED) {
            status = JobStatus.CANCELLED;
            finishedAt = Instant.now();
            persist();
            return true;
        }
        cancelRequested = status == JobStatus.RUNNING;
        return false;
    }

    synchronized void ended(JobStatus end, String message) {
        status = end;
        error = message;
        finishedAt = Instant.now();
        persist();
    }

    synchronized JobView view() {
        return new JobView(id, type, status, step, totalSteps, last, policyVersion, error,
                folder.dir().toAbsolutePath().toString(), curves, createdAt, startedAt, finishedAt, config);
    }

    private void persist() {
        folder.writeJobFile(new JobFile(id, type, config, status, step, totalSteps, policyVersion, error, createdAt,
                startedAt, finishedAt));
    }
}
