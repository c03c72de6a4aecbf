package ai.aster.trainer.train.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.aster.trainer.service.InvalidRequestException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpoJobConfigTest {

    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path model;

    private ObjectNode minimal() {
        ObjectNode c = json.createObjectNode();
        c.put("model", model.toString());
        c.putObject("prompts").put("jsonl", prompts("train.jsonl").toString());
        c.put("steps", 3);
        return c;
    }

    private Path prompts(String name) {
        try {
            return java.nio.file.Files.writeString(model.resolve(name), "{}\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void defaultsAreAstersRecipe() {
        GrpoJobConfig c = GrpoJobConfig.parse(minimal());
        assertThat(c.prompts()).isEqualTo(new GrpoJobConfig.PromptFile(GrpoJobConfig.Format.JSONL,
                model.resolve("train.jsonl")));
        assertThat(c.steps()).isEqualTo(3);
        assertThat(c.promptsPerStep()).isEqualTo(8);
        assertThat(c.rolloutsPerPrompt()).isEqualTo(16);
        assertThat(c.maxToolCalls()).isEqualTo(50);
        assertThat(c.temperature()).isEqualTo(1.0);
        assertThat(c.topP()).isEqualTo(1.0);
        assertThat(c.maxTokens()).isNull();
        assertThat(c.overlong()).isNull();
        assertThat(c.gateway()).isNull();
        assertThat(c.lr()).isEqualTo(1e-6);
        assertThat(c.minLr()).isEqualTo(1e-6);
        assertThat(c.clipLow()).isEqualTo(0.2);
        assertThat(c.clipHigh()).isEqualTo(0.28);
        assertThat(c.dualClip()).isEqualTo(3.0);
        assertThat(c.tisCap()).isEqualTo(2.0);
        assertThat(c.checkpointEvery()).isEqualTo(1);
        assertThat(c.syncWeights()).isTrue();
        assertThat(c.storeTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void everyKeyIsRead() {
        ObjectNode c = minimal();
        c.putObject("prompts").put("parquet", prompts("rl.parquet").toString());
        c.put("prompts_per_step", 2).put("rollouts_per_prompt", 4).put("max_tool_calls", 3).put("temperature", 0.7)
                .put("top_p", 0.9).put("max_tokens", 100).put("system_prompt", "be brief")
                .put("gateway", "http://127.0.0.1:9/v1").put("concurrency", 5).put("lr", 1e-5).put("min_lr", 1e-6)
                .put("warmup_steps", 1).put("micro_batch_size", 2).put("max_grad_norm", 0.5)
                .put("weight_decay", 0.0).put("clip_low", 0.1).put("clip_high", 0.3).put("dual_clip", 4)
                .put("tis_cap", 1.5).put("checkpoint_every", 2).put("sync_weights", false).put("seed", 9)
                .put("store_timeout", "90s");
        c.putObject("overlong").put("buffer", 20).put("penalty", 0.5);
        GrpoJobConfig p = GrpoJobConfig.parse(c);
        assertThat(p.prompts().format()).isEqualTo(GrpoJobConfig.Format.PARQUET);
        assertThat(p).extracting(GrpoJobConfig::promptsPerStep, GrpoJobConfig::rolloutsPerPrompt,
                GrpoJobConfig::maxToolCalls, GrpoJobConfig::maxTokens, GrpoJobConfig::concurrency,
                GrpoJobConfig::microBatchSize, GrpoJobConfig::checkpointEvery, GrpoJobConfig::syncWeights,
                GrpoJobConfig::seed, GrpoJobConfig::storeTimeout)
                .containsExactly(2, 4, 3, 100, 5, 2, 2, false, 9L, Duration.ofSeconds(90));
        assertThat(p.overlong()).isEqualTo(new OverlongShaping(100, 20, 0.5));
        assertThat(p.gateway().toString()).isEqualTo("http://127.0.0.1:9/v1");
        assertThat(p.systemPrompt()).isEqualTo("be brief");
        assertThat(p.dualClip()).isEqualTo(4.0);
    }

    @Test
    void badValuesNameTheirKey() {
        expectBad(c -> c.remove("model"), "config.model", "config.model is required");
        expectBad(c -> c.put("model", model.resolve("nope").toString()), "config.model", "no folder");
        expectBad(c -> c.remove("prompts"), "config.prompts", "must be a JSON object");
        expectBad(c -> c.putObject("prompts").put("csv", "x"), "config.prompts.csv", "is not a setting here");
        expectBad(c -> c.putObject("prompts"), "config.prompts", "must be {\"jsonl\": PATH}");
        expectBad(c -> c.putObject("prompts").put("jsonl", model.resolve("none.jsonl").toString()),
                "config.prompts.jsonl", "no file");
        expectBad(c -> c.remove("steps"), "config.steps", "config.steps is required");
        expectBad(c -> c.put("steps", 0), "config.steps", "integer >= 1");
        expectBad(c -> c.put("rollouts_per_prompt", 1), "config.rollouts_per_prompt", "integer >= 2");
        expectBad(c -> c.put("temperature", 0), "config.temperature", "must be a number in");
        expectBad(c -> c.put("top_p", 1.5), "config.top_p", "must be a number in");
        expectBad(c -> c.put("gateway", "ftp://x"), "config.gateway", "http(s) URL");
        expectBad(c -> c.putObject("overlong").put("buffer", 10), "config.overlong", "needs max_tokens");
        expectBad(c -> c.put("max_tokens", 8).putObject("overlong").put("buffer", 10), "config.overlong.buffer",
                "between 1 and max_tokens");
        expectBad(c -> c.put("max_tokens", 8).putObject("overlong").put("buffer", 4).put("size", 1),
                "config.overlong.size", "is not a setting here");
        expectBad(c -> c.put("clip_low", 1.0), "config.clip_low", "must be a number in");
        expectBad(c -> c.put("dual_clip", 1.0), "config.dual_clip", "must be a number in");
        expectBad(c -> c.put("tis_cap", 0), "config.tis_cap", "must be a number in");
        expectBad(c -> c.put("lr", "fast"), "config.lr", "must be a number in");
        expectBad(c -> c.put("min_lr", 1.0), "config.min_lr", "must be a number in");
        expectBad(c -> c.put("warmup_steps", 4), "config.warmup_steps", "at most steps");
        expectBad(c -> c.put("sync_weights", "yes"), "config.sync_weights", "true or false");
        expectBad(c -> c.put("store_timeout", "soon"), "config.store_timeout", "positive duration");
        expectBad(c -> c.put("rollouts", 4), "config.rollouts", "config.rollouts is not a setting here");
        assertThatThrownBy(() -> GrpoJobConfig.parse(json.createArrayNode()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("must be a JSON object");
    }

    private void expectBad(java.util.function.Consumer<ObjectNode> edit, String param, String message) {
        ObjectNode c = minimal();
        edit.accept(c);
        assertThatThrownBy(() -> GrpoJobConfig.parse(c)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((InvalidRequestException) e).param()).isEqualTo(param);
    }
}
