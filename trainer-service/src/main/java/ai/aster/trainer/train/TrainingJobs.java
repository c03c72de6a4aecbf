package ai.aster.trainer.train;

import ai.aster.modeling.Qwen3Model;
import ai.aster.trainer.client.ModelWeightsClient;
import ai.aster.trainer.config.TrainerConfig;
import ai.aster.trainer.service.InvalidRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Training jobs ({@code POST /v1/jobs}): one at a time on one dedicated training thread, the others queued in
 * order. Each job lives in its folder under {@code aster.trainer.checkpoint-root}; at start the service reads every
 * job folder back, so the list survives a restart, and a job that was running when the process died is shown
 * {@code failed} ("interrupted: ...") and can be resumed from its newest checkpoint.
 */
@Startup
@ApplicationScoped
public class TrainingJobs {

    public static final String INTERRUPTED = "interrupted: the trainer stopped during this job";
    private static final Logger LOG = Logger.getLogger(TrainingJobs.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern CURVE = Pattern.compile("[a-z0-9_]{1,64}");

    private final Map<String, TrainingRunFactory> factories = new TreeMap<>();
    private final Path root;
    private final ObjectMapper json;
    private final ModelWeightsClient weights;
    private final TrainingMetrics metrics;
    private final CurveDrawer curves;
    private final Map<String, TrainingJob> jobs = new ConcurrentHashMap<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("training-job").factory());
    private volatile boolean stopping;
    private final Optional<Integer> computeThreads;

    public TrainingJobs(Instance<TrainingRunFactory> runFactories, TrainerConfig config, ObjectMapper json,
            ModelWeightsClient weights, TrainingMetrics metrics, CurveDrawer curves) {
        for (TrainingRunFactory f : runFactories) {
            factories.put(f.type(), f);
        }
        this.root = Path.of(config.trainer().checkpointRoot());
        this.json = json;
        this.weights = weights;
        this.metrics = metrics;
        this.curves = curves;
        this.computeThreads = config.trainer().computeThreads().filter(n -> n > 0);
        readBack();
    }

    /** The job folders of earlier lives of the service; a job cut short by the process dying is marked so. */
    private void readBack() {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> ID.matcher(d.getFileName().toString()).matches()).toList()) {
                readBack(dir).ifPresent(job -> jobs.put(job.id(), job));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoint root " + root, e);
        }
    }

    private Optional<TrainingJob> readBack(Path dir) {
        JobFolder folder = new JobFolder(dir, json);
        if (!folder.exists()) {
            return Optional.empty();
        }
        try {
            JobFile file = folder.readJobFile();
            if (!dir.getFileName().toString().equals(file.id()) || file.status() == null || file.type() == null) {
                throw new IOException("its id, type or status is missing or names another folder");
            }
            TrainingJob job = TrainingJob.restore(file, folder, folder.readSteps());
            if (!file.status().ended()) {
                job.ended(JobStatus.FAILED, INTERRUPTED);
            }
            return Optional.of(job);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("ignoring job folder %s: unreadable %s (%s)", dir, JobFolder.JOB_FILE, e.getMessage());
            return Optional.empty();
        }
    }

    /** The job types this service runs. */
    public List<String> types() {
        return List.copyOf(factories.keySet());
    }

    /**
     * Checks the request and the job type's config (400 naming the field, before anything starts), then queues
     * the job: a new one, or, for the id of a job that ended, that job resumed from its newest checkpoint.
     */
    public synchronized JobView submit(JobRequest request) {
        if (request == null) {
            throw new InvalidRequestException("the body must be a JSON object {\"type\": \"sft\"|\"grpo\", "
                    + "\"config\": {...}}", null);
        }
        if (request.id() != null && !ID.matcher(request.id()).matches()) {
            throw new InvalidRequestException("id must be 1 to 128 letters, digits, '_', '.' or '-' (starting with a "
                    + "letter or digit); was '" + request.id() + "'", "id");
        }
        TrainingJob existing = request.id() == null ? null : jobs.get(request.id());
        if (existing == null && request.id() != null) {
            // a folder this service has not seen (restored from a backup, or written by an earlier version)
            existing = readBack(root.resolve(request.id())).orElse(null);
            if (existing != null) {
                jobs.put(existing.id(), existing);
            }
        }
        if (existing == null && Boolean.TRUE.equals(request.resume())) {
            throw new UnknownJobException(request.id() == null ? "(none)" : request.id());
        }
        String type = request.type() != null ? request.type() : existing != null ? existing.type() : null;
        TrainingRunFactory factory = type == null ? null : factories.get(type);
        if (factory == null) {
            throw new InvalidRequestException("type must be one of " + String.join(", ", factories.keySet())
                    + (type == null ? "" : "; was '" + type + "'"), "type");
        }
        JsonNode config = request.config() != null ? request.config() : existing != null ? existing.config() : null;
        if (config == null || !config.isObject()) {
            throw new InvalidRequestException("config must be a JSON object with the " + type + " settings", "config");
        }
        if (existing != null) {
            if (!existing.type().equals(type)) {
                throw new InvalidRequestException("job " + existing.id() + " is a " + existing.type()
                        + " job; it cannot be resumed as " + type, "type");
            }
            if (!existing.status().ended()) {
                throw new InvalidRequestException("job " + existing.id() + " is " + existing.status().wire()
                        + " already", "id");
            }
        }
        boolean sync = syncWeights(config, factory.syncWeightsByDefault());
        TrainingRun run = factory.create(config);
        TrainingJob job;
        if (existing != null) {
            job = existing;
            job.requeue(config);
            LOG.infof("job %s resumes (%s)", job.id(), type);
        } else {
            String id = request.id() != null ? request.id() : newId(type);
            job = new TrainingJob(id, type, config, new JobFolder(root.resolve(id), json));
            job.requeue(config); // writes job.json
            jobs.put(id, job);
            LOG.infof("job %s queued (%s) in %s", id, type, job.folder().dir().toAbsolutePath());
        }
        TrainingJob queued = job;
        thread.execute(() -> execute(queued, run, sync));
        return job.view();
    }

    private static boolean syncWeights(JsonNode config, boolean byDefault) {
        JsonNode sync = config.get("sync_weights");
        if (sync == null || sync.isNull()) {
            return byDefault;
        }
        if (!sync.isBoolean()) {
            throw new InvalidRequestException("config.sync_weights must be true or false", "config.sync_weights");
        }
        return sync.asBoolean();
    }

    private static String newId(String type) {
        return type + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }

    private void execute(TrainingJob job, TrainingRun run, boolean sync) {
        if (job.status() != JobStatus.QUEUED) {
            return; // cancelled while it waited
        }
        if (stopping) {
            job.ended(JobStatus.FAILED, INTERRUPTED);
            return;
        }
        JobStatus end;
        String error = null;
        metrics.jobStarted(job.type());
        try {
            // a resumed job goes on from its newest checkpoint: the log keeps the steps up to it
            int resumed = job.folder().newestCheckpoint().map(JobFolder::checkpointStep).orElse(0L).intValue();
            job.folder().truncateSteps(resumed);
            List<StepRecord> kept = job.folder().readSteps();
            job.resumedAt(resumed, kept);
            job.started();
            computeThreads.ifPresent(Qwen3Model::setComputeThreads); // on this thread: OpenMP's setting is per thread
            LOG.infof("job %s (%s) starts%s", job.id(), job.type(), resumed > 0 ? " at step " + resumed : "");
            try (JobRunContext context = new JobRunContext(job, sync, weights, metrics, curves, kept)) {
                run.run(context);
            }
            end = stopping ? JobStatus.FAILED : job.cancelRequested() ? JobStatus.CANCELLED : JobStatus.SUCCEEDED;
            error = stopping ? INTERRUPTED : null;
        } catch (Exception | Error e) {
            end = JobStatus.FAILED;
            error = message(e);
            LOG.errorf(e, "job %s failed", job.id());
        } finally {
            metrics.jobEnded(job.type());
        }
        job.ended(end, error);
        LOG.infof("job %s %s%s", job.id(), end.wire(), error == null ? "" : ": " + error);
    }

    private static String message(Throwable e) {
        boolean plain = e instanceof InvalidRequestException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof ModelWeightsClient.WeightSyncException
                || e instanceof UncheckedIOException;
        String text = e.getMessage();
        return plain && text != null && !text.isBlank() ? text : e.toString();
    }

    /** Every job, newest first. */
    public List<JobView> list() {
        return jobs.values().stream().map(TrainingJob::view)
                .sorted(Comparator.comparing(JobView::createdAt, Comparator.nullsLast(Comparator.reverseOrder()))
                        .thenComparing(JobView::id))
                .toList();
    }

    public JobView get(String id) {
        return job(id).view();
    }

    public List<StepRecord> steps(String id) {
        return job(id).folder().readSteps();
    }

    /** The PNG file of curve {@code name}, if it has been drawn. */
    public Optional<Path> curve(String id, String name) {
        TrainingJob job = job(id);
        if (!CURVE.matcher(name).matches()) {
            return Optional.empty();
        }
        Path png = job.folder().curve(name);
        return Files.isRegularFile(png) ? Optional.of(png) : Optional.empty();
    }

    /** Drops a queued job at once; a running one stops after its step in progress ({@code cancelled} then). */
    public JobView cancel(String id) {
        TrainingJob job = job(id);
        job.cancel();
        return job.view();
    }

    private TrainingJob job(String id) {
        TrainingJob job = id == null ? null : jobs.get(id);
        if (job == null) {
            throw new UnknownJobException(id);
        }
        return job;
    }

    /** A running job is asked to stop after its step and marked interrupted, so that it can be resumed. */
    @PreDestroy
    void stop() {
        stopping = true;
        jobs.values().stream().filter(j -> j.status() == JobStatus.RUNNING).forEach(TrainingJob::cancel);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("a training job did not stop within 60 s; it shows as interrupted at the next start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** No job has this id (404). */
    public static final class UnknownJobException extends RuntimeException {
        public UnknownJobException(String id) {
            super("no training job with id '" + id + "'");
        }
    }
}
