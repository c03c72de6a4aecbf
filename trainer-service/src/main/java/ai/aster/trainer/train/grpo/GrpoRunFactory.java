package ai.aster.trainer.train.grpo;

import ai.aster.trainer.config.EvalConfig;
import ai.aster.trainer.eval.ChatEndpoint;
import ai.aster.trainer.service.TrajectoryService;
import ai.aster.trainer.train.TrainingRun;
import ai.aster.trainer.train.TrainingRunFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code type: grpo} jobs. The config is checked and the prompt file read before the job starts, so a bad one is a
 * 400 naming the key. Rollouts go to the job's {@code gateway}, else the endpoint and key evaluation jobs use
 * ({@code aster.trainer.eval.endpoint}, {@code aster.trainer.eval.api-key} or the key file {@code ./aster up}
 * writes).
 */
@ApplicationScoped
public class GrpoRunFactory implements TrainingRunFactory {

    private final EvalConfig eval;
    private final TrajectoryService trajectories;
    private final ObjectMapper json;

    public GrpoRunFactory(EvalConfig eval, TrajectoryService trajectories, ObjectMapper json) {
        this.eval = eval;
        this.trajectories = trajectories;
        this.json = json;
    }

    @Override
    public String type() {
        return "grpo";
    }

    /** On-policy: each step's rollouts must come from the weights the previous step wrote. */
    @Override
    public boolean syncWeightsByDefault() {
        return true;
    }

    @Override
    public TrainingRun create(JsonNode config) {
        GrpoJobConfig parsed = GrpoJobConfig.parse(config);
        PromptLoader loader = new PromptLoader(json);
        List<GrpoPrompt> prompts = switch (parsed.prompts().format()) {
            case JSONL -> loader.jsonl(parsed.prompts().path());
            case PARQUET -> loader.parquet(parsed.prompts().path());
        };
        URI gateway = parsed.gateway() != null ? parsed.gateway() : URI.create(eval.endpoint());
        ChatEndpoint endpoint = new ChatEndpoint(json, gateway, apiKey(), eval.requestTimeout());
        int concurrency = parsed.concurrency() > 0 ? parsed.concurrency() : eval.defaultConcurrency();
        return new GrpoRun(parsed, prompts, endpoint, trajectories, concurrency);
    }

    private String apiKey() {
        return eval.apiKey().filter(k -> !k.isBlank()).orElseGet(() -> {
            Path file = Path.of(eval.apiKeyFile());
            try {
                return Files.isReadable(file) ? Files.readString(file).strip() : null;
            } catch (IOException e) {
                return null;
            }
        });
    }
}
