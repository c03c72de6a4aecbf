package ai.aster.modeling.train;

import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.io.DType;
import ai.aster.modeling.io.FloatTensor;
import ai.aster.modeling.io.SafetensorsFile;
import ai.aster.modeling.io.SafetensorsWriter;
import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: the model in Hugging Face layout ({@code config.json}, {@code model.safetensors} in
 * float32, the tokenizer files copied from the folder the model came from), so model-service and
 * {@code transformers} load it as is, plus {@value #OPTIMIZER_FILE} (AdamW's first and second moments,
 * {@code m.<i>}/{@code v.<i>} per parameter, float32) and {@value #STATE_FILE} (the step and the learning-rate
 * schedule). Everything is float32 and the schedule is a function of the step, so a resumed run continues
 * bit-identically.
 */
public final class TrainerCheckpoint {

    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String STATE_FILE = "trainer_state.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainerCheckpoint() {
    }

    /** Writes the trainer's model, optimizer state and step into {@code dir}. */
    public static void save(PolicyTrainer trainer, Path dir) {
        trainer.model().save(dir);
        int step = trainer.step();
        SafetensorsWriter.write(dir.resolve(OPTIMIZER_FILE), trainer.optimizer().moments(), DType.F32,
                Map.of("step", Integer.toString(step)));
        LearningRateSchedule s = trainer.options().schedule();
        ObjectNode state = JSON.createObjectNode();
        state.put("step", step);
        ObjectNode schedule = state.putObject("schedule");
        schedule.put("peak", s.peak());
        schedule.put("warmup_steps", s.warmupSteps());
        schedule.put("total_steps", s.totalSteps());
        schedule.put("floor", s.floor());
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(STATE_FILE).toFile(), state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(STATE_FILE), e);
        }
    }

    /**
     * Loads a checkpoint written by {@link #save} onto {@code device} and returns a trainer at the saved step with
     * the saved schedule and the rest of {@code options}. The trainer owns the loaded model (closing it closes both).
     */
    public static PolicyTrainer load(Path dir, Device device, PolicyTrainer.Options options) {
        Path stateFile = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile) || !Files.isRegularFile(dir.resolve(OPTIMIZER_FILE))) {
            throw new IllegalArgumentException(dir + " is not a training checkpoint (no " + STATE_FILE + " or "
                    + OPTIMIZER_FILE + ")");
        }
        JsonNode state;
        try {
            state = JSON.readTree(stateFile.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stateFile, e);
        }
        JsonNode s = state.path("schedule");
        LearningRateSchedule schedule = new LearningRateSchedule(s.path("peak").asDouble(),
                s.path("warmup_steps").asInt(), s.path("total_steps").asInt(), s.path("floor").asDouble());
        SafetensorsFile file = SafetensorsFile.open(dir.resolve(OPTIMIZER_FILE));
        Map<String, FloatTensor> moments = new LinkedHashMap<>();
        for (String name : file.names()) {
            moments.put(name, file.read(name));
        }
        Qwen3Model model = Qwen3Model.load(dir, device);
        PolicyTrainer trainer = new PolicyTrainer(model, options.withSchedule(schedule), true);
        try {
            trainer.optimizer().restore(moments, state.path("step").asInt());
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
        return trainer;
    }
}
