package ai.aster.trainer.train;

import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.train.PolicyTrainer;
import ai.aster.modeling.train.TrainerCheckpoint;
import ai.aster.protocol.openai.WeightsResponse;
import ai.aster.trainer.client.ModelWeightsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jboss.logging.Logger;

/** The {@link JobContext} of one run of a job, on the training thread. */
final class JobRunContext implements JobContext, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobRunContext.class);

    private final TrainingJob job;
    private final boolean syncWeights;
    private final ModelWeightsClient weights;
    private final TrainingMetrics metrics;
    private final CurveDrawer curves;
    private final List<StepRecord> records;
    private final List<Qwen3Model> opened = new ArrayList<>();

    JobRunContext(TrainingJob job, boolean syncWeights, ModelWeightsClient weights, TrainingMetrics metrics,
            CurveDrawer curves, List<StepRecord> kept) {
        this.job = job;
        this.syncWeights = syncWeights;
        this.weights = weights;
        this.metrics = metrics;
        this.curves = curves;
        this.records = new ArrayList<>(kept);
    }

    @Override
    public String jobId() {
        return job.id();
    }

    @Override
    public Path directory() {
        return job.folder().dir();
    }

    @Override
    public boolean cancelled() {
        return job.cancelRequested();
    }

    @Override
    public PolicyTrainer openTrainer(Path initialModel, PolicyTrainer.Options options) {
        Optional<Path> checkpoint = job.folder().newestCheckpoint();
        if (checkpoint.isPresent()) {
            LOG.infof("job %s resumes from %s", job.id(), checkpoint.get());
            return TrainerCheckpoint.load(checkpoint.get(), Qwen3Model.defaultDevice(), options);
        }
        if (!Files.isRegularFile(initialModel.resolve("config.json"))) {
            throw new IllegalArgumentException("no model at " + initialModel.toAbsolutePath()
                    + " (a folder with config.json, model.safetensors and the tokenizer files)");
        }
        Qwen3Model model = Qwen3Model.load(initialModel, Qwen3Model.defaultDevice());
        opened.add(model); // the trainer does not own a model it was given: closed when the run ends
        return new PolicyTrainer(model, options);
    }

    @Override
    public void stepFinished(StepRecord record) {
        job.folder().appendStep(record);
        records.add(record);
        metrics.stepFinished(record);
        List<StepRecord> snapshot = List.copyOf(records);
        job.stepFinished(record, TrainingCurves.names(snapshot));
        curves.request(job.id(), job.folder(), snapshot);
    }

    @Override
    public OptionalLong checkpoint(PolicyTrainer trainer) {
        Path dir = job.folder().writeCheckpoint(trainer);
        if (!syncWeights) {
            return OptionalLong.empty();
        }
        WeightsResponse loaded = weights.load(dir);
        job.published(loaded.policyVersion());
        metrics.published(loaded.policyVersion());
        LOG.infof("job %s: model-service serves %s as policy version %d", job.id(), dir, loaded.policyVersion());
        return OptionalLong.of(loaded.policyVersion());
    }

    /** The final curves; the models this context loaded. */
    @Override
    public void close() {
        curves.drawNow(job.id(), job.folder(), List.copyOf(records));
        for (Qwen3Model m : opened) {
            m.close();
        }
    }
}
