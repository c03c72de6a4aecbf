package ai.aster.trainer.train.grpo;

import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.train.PolicyTrainer;
import ai.aster.modeling.train.TrainerCheckpoint;
import ai.aster.trainer.train.JobContext;
import ai.aster.trainer.train.StepRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A {@link JobContext} for tests, standing in for the job framework: a folder, the steps it was told about, and
 * checkpoints written with {@link TrainerCheckpoint} and loaded into a real model service ({@code POST /v1/weights}).
 */
final class LocalJobContext implements JobContext, AutoCloseable {

    private final String jobId;
    private final Path directory;
    private final URI modelService;
    private final String internalToken;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    final List<StepRecord> steps = new ArrayList<>();
    final List<Path> checkpoints = new ArrayList<>();
    private final List<Qwen3Model> models = new ArrayList<>();
    volatile boolean cancel;
    /** When set, the job is cancelled once this many steps have finished (as a DELETE between steps). */
    volatile int cancelAfterSteps = Integer.MAX_VALUE;

    /** {@code modelService} null: checkpoints are written but not loaded anywhere. */
    LocalJobContext(String jobId, Path directory, URI modelService, String internalToken) {
        this.jobId = jobId;
        this.directory = directory;
        this.modelService = modelService;
        this.internalToken = internalToken;
    }

    @Override
    public String jobId() {
        return jobId;
    }

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public boolean cancelled() {
        return cancel;
    }

    @Override
    public PolicyTrainer openTrainer(Path initialModel, PolicyTrainer.Options options) {
        Qwen3Model model = Qwen3Model.load(initialModel, Device.cpu());
        models.add(model);
        return new PolicyTrainer(model, options);
    }

    @Override
    public void stepFinished(StepRecord record) {
        steps.add(record);
        if (steps.size() >= cancelAfterSteps) {
            cancel = true;
        }
    }

    @Override
    public OptionalLong checkpoint(PolicyTrainer trainer) {
        Path dir = directory.resolve("checkpoints").resolve(String.format("step-%06d", trainer.step()));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TrainerCheckpoint.save(trainer, dir);
        checkpoints.add(dir);
        if (modelService == null) {
            return OptionalLong.empty();
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(modelService.resolve("/v1/weights"))
                    .header("Authorization", "Bearer " + internalToken).header("Content-Type", "application/json")
                    .timeout(Duration.ofMinutes(2))
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                            json.createObjectNode().put("path", dir.toString())))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("POST /v1/weights answered " + r.statusCode() + ": " + r.body());
            }
            JsonNode body = json.readTree(r.body());
            return OptionalLong.of(body.path("policy_version").asLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        models.forEach(Qwen3Model::close);
    }
}
