package ai.aster.trainer.train.sft;

import ai.aster.trainer.service.TrajectoryService;
import ai.aster.trainer.train.TrainingRun;
import ai.aster.trainer.train.TrainingRunFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code type: sft}: supervised fine-tuning on stored trajectories or a JSONL file of conversations. */
@ApplicationScoped
public class SftRunFactory implements TrainingRunFactory {

    private final SftDataLoader loader;

    public SftRunFactory(TrajectoryService trajectories, ObjectMapper json) {
        this.loader = new SftDataLoader(trajectories, json);
    }

    @Override
    public String type() {
        return "sft";
    }

    @Override
    public TrainingRun create(JsonNode config) {
        return new SftRun(SftSettings.parse(config), loader);
    }
}
