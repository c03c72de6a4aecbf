package ai.aster.trainer.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.trainer.service.PageCursor;
import ai.aster.trainer.service.StoredDocument;
import ai.aster.trainer.support.Hyparquet;
import ai.aster.trainer.support.Trajectories;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A trajectory as export rows, and those rows through the parquet writer and back through hyparquet. */
class DatasetRowsTest {

    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();
    private final DatasetRows rows = new DatasetRows(JSON);

    /** Kept after the run, for a look with other readers (pandas, pyarrow, datasets). */
    private final Path dir = Path.of("target/dataset-samples");

    private static Trajectory trajectory(ObjectNode node) throws Exception {
        return JSON.treeToValue(node, Trajectory.class);
    }

    /** Three turns: two code calls (hermes markup) with their results, then the answer. */
    private static ObjectNode threeTurns(String id) {
        ObjectNode t = Trajectories.trajectory(id, "p-" + id, 3, 7);
        t.put("reference_answer", "5");
        return t;
    }

    @Test
    void aTrajectoryIsAConversationWithToolCallsAndResults() throws Exception {
        ObjectNode node = threeTurns("conv");
        node.withArray("messages").insertObject(0).put("role", "system").put("content", "You are ASTER.");
        ArrayNode turns = node.withArray("turns");
        ((ObjectNode) turns.get(2)).put("completion_text",
                turns.get(2).get("completion_text").asText() + "<|im_end|>");
        ArrayNode messages = rows.conversation(trajectory(node));

        assertThat(messages).hasSize(7);
        assertThat(roles(messages)).containsExactly("system", "user", "assistant", "tool", "assistant", "tool",
                "assistant");
        JsonNode first = messages.get(2);
        String written = turns.get(0).get("completion_text").asText();
        // the text before the call, thinking included as the model wrote it; the call itself moves to tool_calls
        assertThat(first.get("content").asText()).isEqualTo(written.substring(0, written.indexOf("<tool_call>"))
                .stripTrailing()).startsWith("<think>\nstep 0").endsWith("</think>");
        JsonNode call = first.get("tool_calls").get(0);
        assertThat(call.get("id").asText()).isEqualTo("call_0");
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("code_interpreter");
        assertThat(JSON.readTree(call.at("/function/arguments").asText()))
                .isEqualTo(JSON.createObjectNode().put("code", "print(2+3)"));
        assertThat(messages.get(3).get("content").asText()).isEqualTo("5\n");
        assertThat(messages.get(3).get("tool_call_id").asText()).isEqualTo("call_0");
        assertThat(messages.get(5).get("tool_call_id").asText()).isEqualTo("call_1");
        // the end-of-turn token's text is not part of the answer
        assertThat(messages.get(6).get("content").asText()).endsWith("The answer is \\boxed{5}.")
                .startsWith("<think>\nstep 2").doesNotContain("<|im_end|>");
        assertThat(messages.get(6).has("tool_calls")).isFalse();
    }

    @Test
    void aMalformedCallStaysInTheTextAndItsErrorIsAToolMessageWithoutId() throws Exception {
        ObjectNode node = Trajectories.trajectory("bad", "p-bad", 2, 9);
        ObjectNode turn = (ObjectNode) node.withArray("turns").get(0);
        String text = "<think>\nhmm\n</think>\n<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": "
                + "</tool_call>";
        turn.put("completion_text", text);
        turn.putObject("tool_call").put("name", "code_interpreter").put("format_error", "the tool call is not valid JSON");
        ((ObjectNode) turn.get("tool_result")).put("status", "error").put("text", "Error: the tool call is not valid JSON");
        ArrayNode messages = rows.conversation(trajectory(node));
        assertThat(roles(messages)).containsExactly("user", "assistant", "tool", "assistant");
        assertThat(messages.get(1).get("content").asText()).isEqualTo(text);
        assertThat(messages.get(1).has("tool_calls")).isFalse();
        assertThat(messages.get(2).get("content").asText()).isEqualTo("Error: the tool call is not valid JSON");
        assertThat(messages.get(2).has("tool_call_id")).isFalse();
    }

    @Test
    void problemsAreKeyedByIdElseByPromptAndNeedAReferenceAnswer() throws Exception {
        ObjectNode a = threeTurns("a");
        ObjectNode b = threeTurns("b");
        b.put("problem_id", a.get("problem_id").asText());
        assertThat(DatasetRows.problemKey(trajectory(a))).isEqualTo(DatasetRows.problemKey(trajectory(b)));
        a.remove("problem_id");
        b.remove("problem_id");
        assertThat(DatasetRows.problemKey(trajectory(a))).isEqualTo(DatasetRows.problemKey(trajectory(b)));
        ((ObjectNode) b.withArray("messages").get(0)).put("content", "What is 2+4?");
        assertThat(DatasetRows.problemKey(trajectory(a))).isNotEqualTo(DatasetRows.problemKey(trajectory(b)));
        a.remove("reference_answer");
        assertThat(DatasetRows.problemKey(trajectory(a))).isEmpty();
    }

    @Test
    void parquetRowsReadBackWithHyparquetAsWritten() throws Exception {
        Files.createDirectories(dir);
        Trajectory t = trajectory(threeTurns("pq"));
        StoredDocument stored = new StoredDocument(new PageCursor(Instant.now(), t.id()), "{}", true, 1.0);
        ObjectNode rl = rows.rlRow(t, 0, DatasetRows.DEFAULT_DATA_SOURCE, "train");
        ObjectNode sft = rows.sftRow(t, stored, 0);
        Path rlFile = dir.resolve("rl.parquet");
        Path sftFile = dir.resolve("sft.parquet");
        try (ParquetSink sink = new ParquetSink(rlFile, ParquetSchemas.rl())) {
            sink.write(rl);
        }
        try (ParquetSink sink = new ParquetSink(sftFile, ParquetSchemas.sft(rows.tools()))) {
            sink.write(sft);
            sink.write(sft);
        }
        JsonNode rlRead = Hyparquet.read(rlFile);
        assertThat(rlRead.get("num_rows").asInt()).isEqualTo(1);
        assertThat(comparable(rlRead.get("rows").get(0))).isEqualTo(comparable(rl));
        JsonNode prompt = column(rlRead, "prompt");
        assertThat(prompt.get("logical").asText()).isEqualTo("LIST");
        assertThat(prompt.at("/children/0/repetition").asText()).isEqualTo("REPEATED");
        assertThat(prompt.at("/children/0/children/0/name").asText()).isEqualTo("element");
        assertThat(column(rlRead, "reward_model").get("children")).hasSize(2);

        JsonNode sftRead = Hyparquet.read(sftFile);
        assertThat(sftRead.get("num_rows").asInt()).isEqualTo(2);
        assertThat(comparable(sftRead.get("rows").get(1))).isEqualTo(comparable(sft));
        assertThat(sftRead.at("/rows/0/tools/0/function/parameters/required/0").asText()).isEqualTo("code");
    }

    private static JsonNode column(JsonNode read, String name) {
        for (JsonNode c : read.get("columns")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no column " + name + " in " + read.get("columns"));
    }

    /** Nulls dropped (the writer writes an absent field as a null), numbers compared by value. */
    static JsonNode comparable(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getValue().isNull()) {
                    out.set(field.getKey(), comparable(field.getValue()));
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(item -> out.add(comparable(item)));
            return out;
        }
        // JSON does not tell 1 from 1.0 (JavaScript has one number type): compare numbers by value
        return node.isNumber() ? JSON.getNodeFactory().numberNode(node.asDouble()) : node;
    }

    private static List<String> roles(ArrayNode messages) {
        List<String> roles = new ArrayList<>();
        messages.forEach(m -> roles.add(m.get("role").asText()));
        return roles;
    }
}
