package ai.aster.trainer.train.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.Tokenizer;
import ai.aster.modeling.train.TrainingSequence;
import ai.aster.trainer.support.TrainingData;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The loss mask of a rendered conversation: each assistant message through its end-of-turn token, nothing else. */
class ConversationEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path model;
    private static Tokenizer tokenizer;
    private static ConversationEncoder encoder;

    @BeforeAll
    static void load() {
        model = TrainingData.model(Path.of("target/models/sft-encoder"));
        tokenizer = Tokenizer.load(model);
        encoder = new ConversationEncoder(tokenizer, ChatTemplate.forModel(model), JSON);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void onlyTheAssistantMessagesAndTheirEndOfTurnAreLearnt() {
        ObjectNode conversation = TrainingData.conversations(1).getFirst();
        TrainingSequence seq = encoder.encode(conversation, "test");

        // the tokens are the whole rendering, tokenized piece by piece at the assistant boundaries
        String rendered = ChatTemplate.forModel(model).render(
                List.of(JSON.convertValue(conversation.get("messages").get(0), ai.aster.protocol.openai.ChatMessage.class)),
                null, true);
        assertThat(tokenizer.decode(seq.tokens())).startsWith(rendered.substring(0, rendered.indexOf("<|im_end|>")));

        List<String> trainedRuns = runs(seq, true);
        assertThat(trainedRuns).hasSize(2);
        assertThat(trainedRuns.get(0)).contains("Let me compute it.").contains("<tool_call>")
                .contains("\"code\": \"print(3*4)\"").endsWith("<|im_end|>");
        assertThat(trainedRuns.get(1)).contains("The answer is \\boxed{12}.").endsWith("<|im_end|>");
        String untrained = String.join("|", runs(seq, false));
        assertThat(untrained).contains("What is 3*4?").contains("<tool_response>\n12\n</tool_response>")
                .contains("<|im_start|>assistant\n").doesNotContain("Let me compute").doesNotContain("boxed");
        assertThat(seq.lossMask()[0]).isFalse();
    }

    @Test
    void argumentsGivenAsAnObjectRenderAsTheJsonString() {
        ObjectNode asString = TrainingData.conversations(1).getFirst();
        ObjectNode asObject = asString.deepCopy();
        ObjectNode function = (ObjectNode) asObject.get("messages").get(1).get("tool_calls").get(0).get("function");
        function.set("arguments", JSON.createObjectNode().put("code", "print(3*4)"));
        assertThat(encoder.encode(asObject, "o").tokens()).isEqualTo(encoder.encode(asString, "s").tokens());
    }

    @Test
    void aConversationWithoutAnAssistantMessageIsRefusedByName() {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("messages").addObject().put("role", "user").put("content", "hi");
        assertThatThrownBy(() -> encoder.encode(c, "data.jsonl line 3"))
                .hasMessageContaining("data.jsonl line 3").hasMessageContaining("no assistant message");
    }

    /** The decoded text of each maximal run of tokens whose mask is {@code trained}. */
    private static List<String> runs(TrainingSequence seq, boolean trained) {
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
