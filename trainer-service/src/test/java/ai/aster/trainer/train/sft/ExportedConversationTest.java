package ai.aster.trainer.train.sft;

import static org.assertj.core.api.Assertions.assertThat;

import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.Tokenizer;
import ai.aster.modeling.train.TrainingSequence;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.trainer.dataset.DatasetRows;
import ai.aster.trainer.service.PageCursor;
import ai.aster.trainer.service.StoredDocument;
import ai.aster.trainer.support.TrainingData;
import ai.aster.trainer.support.Trajectories;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A row of the SFT export ({@code jsonl} / {@code verl-sft}) is a conversation this platform's own SFT learns from:
 * the model's thinking and calls are trained, the prompt and the tool results are not.
 */
class ExportedConversationTest {

    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    @Test
    void anExportedTrajectoryEncodesWithItsCallsTrainedAndItsResultsMasked() throws Exception {
        Path model = TrainingData.model(Path.of("target/models/sft-encoder"));
        ObjectNode node = Trajectories.trajectory("exported", "p-exported", 3, 11);
        Trajectory trajectory = JSON.treeToValue(node, Trajectory.class);
        ObjectNode row = new DatasetRows(JSON).sftRow(trajectory,
                new StoredDocument(new PageCursor(Instant.now(), trajectory.id()), "{}", true, 1.0), 0);
        try (Tokenizer tokenizer = Tokenizer.load(model)) {
            TrainingSequence seq = new ConversationEncoder(tokenizer, ChatTemplate.forModel(model), JSON)
                    .encode(row, "export row");
            List<String> trained = runs(tokenizer, seq, true);
            assertThat(trained).hasSize(3);
            assertThat(trained.get(0)).contains("step 0: let me compute").contains("<tool_call>")
                    .contains("\"code\": \"print(2+3)\"").endsWith("<|im_end|>");
            assertThat(trained.get(1)).contains("step 1: let me compute").contains("<tool_call>");
            assertThat(trained.get(2)).contains("step 2: let me compute").contains("The answer is \\boxed{5}.")
                    .doesNotContain("<tool_call>");
            String untrained = String.join("|", runs(tokenizer, seq, false));
            assertThat(untrained).contains("What is 2+3?").contains("<tool_response>\n5\n")
                    .contains("code_interpreter");
        }
    }

    private static List<String> runs(Tokenizer tokenizer, TrainingSequence seq, boolean trained) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < seq.tokens().length) {
            if (seq.lossMask()[i] != trained) {
                i++;
                continue;
            }
            int start = i;
            while (i < seq.tokens().length && seq.lossMask()[i] == trained) {
                i++;
            }
            out.add(tokenizer.decode(Arrays.copyOfRange(seq.tokens(), start, i)));
        }
        return out;
    }
}
