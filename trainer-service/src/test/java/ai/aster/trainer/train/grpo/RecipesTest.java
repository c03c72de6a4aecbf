package ai.aster.trainer.train.grpo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.aster.trainer.train.sft.SftSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped recipes (trainer-service/recipes) are valid configs for this trainer, read as the command line reads
 * them (YAML), and carry the paper's loss settings. Their paths point into a user's state folder, so they are swapped
 * for files that exist here.
 */
class RecipesTest {

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    @Test
    void theGrpoRecipeIsAValidConfigWithAstersObjective() throws Exception {
        ObjectNode recipe = (ObjectNode) yaml.readTree(Path.of("recipes/aster-grpo.yaml").toFile());
        recipe.put("model", dir.toString());
        recipe.putObject("prompts").put("jsonl", Files.writeString(dir.resolve("p.jsonl"), "{}\n").toString());
        GrpoJobConfig c = GrpoJobConfig.parse(recipe);
        assertThat(c.maxToolCalls()).isEqualTo(50);
        assertThat(c.clipLow()).isEqualTo(0.2);
        assertThat(c.clipHigh()).isEqualTo(0.28);
        assertThat(c.dualClip()).isEqualTo(3.0);
        assertThat(c.tisCap()).isEqualTo(2.0);
        assertThat(c.temperature()).isEqualTo(1.0);
        assertThat(c.syncWeights()).isTrue();
        assertThat(c.overlong()).isNull();
    }

    @Test
    void theSftRecipeIsAValidConfig() throws Exception {
        ObjectNode recipe = (ObjectNode) yaml.readTree(Path.of("recipes/aster-sft.yaml").toFile());
        Files.writeString(dir.resolve("config.json"), "{}");
        recipe.put("model", dir.toString());
        SftSettings s = SftSettings.parse(recipe);
        assertThat(s.store()).isNotNull();
        assertThat(s.store().correct()).isTrue();
    }
}
