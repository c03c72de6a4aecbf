package ai.aster.trainer.train.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.aster.trainer.eval.ChatEndpoint;
import ai.aster.trainer.service.InvalidRequestException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GRPO prompt files: the benchmarks' JSONL and verl's RL parquet (written here in pyarrow's layout), and bad ones. */
class PromptLoaderTest {

    /** What verl's data preprocessing writes through pyarrow: three-level lists, nested structs, int64 index. */
    static final MessageType VERL_RL = MessageTypeParser.parseMessageType("""
            message schema {
              optional binary data_source (STRING);
              optional group prompt (LIST) {
                repeated group list {
                  optional group element {
                    optional binary content (STRING);
                    optional binary role (STRING);
                  }
                }
              }
              optional binary ability (STRING);
              optional group reward_model {
                optional binary ground_truth (STRING);
                optional binary style (STRING);
              }
              optional group extra_info {
                optional int64 index;
                optional binary split (STRING);
              }
            }
            """);

    private final PromptLoader loader = new PromptLoader(new ObjectMapper());

    @TempDir
    Path dir;

    @Test
    void jsonlProblemsBecomeOneUserMessageWithTheEvaluationsInstruction() throws IOException {
        Path file = dir.resolve("p.jsonl");
        Files.writeString(file, """
                {"id": "a", "problem": "What is 2 + 3?", "answer": "5"}

                {"id": "b", "problem": "What is 1/2 + 1/4?", "answer": "\\\\frac{3}{4}"}
                """);
        List<GrpoPrompt> prompts = loader.jsonl(file);
        assertThat(prompts).extracting(GrpoPrompt::id).containsExactly("a", "b");
        assertThat(prompts.get(1).answer()).isEqualTo("\\frac{3}{4}");
        assertThat(prompts.get(0).messages()).hasSize(1);
        assertThat(prompts.get(0).messages().get(0).role()).isEqualTo("user");
        assertThat(prompts.get(0).messages().get(0).content())
                .isEqualTo("What is 2 + 3?" + ChatEndpoint.PROMPT_SUFFIX);
    }

    @Test
    void badJsonlIsRefusedNamingThePromptsKeyAndTheLine() throws IOException {
        assertThatThrownBy(() -> loader.jsonl(dir.resolve("missing.jsonl")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no such file")
                .extracting(e -> ((InvalidRequestException) e).param()).isEqualTo("config.prompts");
        Path noAnswer = dir.resolve("no-answer.jsonl");
        Files.writeString(noAnswer, "{\"id\": \"a\", \"problem\": \"x\"}\n");
        assertThatThrownBy(() -> loader.jsonl(noAnswer)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("line 1");
        Path duplicate = dir.resolve("dup.jsonl");
        Files.writeString(duplicate, "{\"id\": \"a\", \"problem\": \"x\", \"answer\": \"1\"}\n"
                + "{\"id\": \"a\", \"problem\": \"y\", \"answer\": \"2\"}\n");
        assertThatThrownBy(() -> loader.jsonl(duplicate)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("duplicate id 'a'");
        Path notJson = dir.resolve("text.jsonl");
        Files.writeString(notJson, "hello\n");
        assertThatThrownBy(() -> loader.jsonl(notJson)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("line 1");
    }

    @Test
    void verlParquetRowsKeepTheirMessagesAndGroundTruth() throws IOException {
        Path file = dir.resolve("rl.parquet");
        write(file, VERL_RL, f -> List.of(
                row(f, "math_dapo", List.of("system", "You are a helpful assistant.", "user", "Solve 2+3."), "5", 7L),
                row(f, "math_dapo", List.of("user", "Solve 1+1."), "2", 8L)));
        List<GrpoPrompt> prompts = loader.parquet(file);
        assertThat(prompts).extracting(GrpoPrompt::id).containsExactly("math_dapo-7", "math_dapo-8");
        assertThat(prompts).extracting(GrpoPrompt::answer).containsExactly("5", "2");
        assertThat(prompts.get(0).messages()).extracting(m -> m.role() + ":" + m.content())
                .containsExactly("system:You are a helpful assistant.", "user:Solve 2+3.");
        assertThat(prompts.get(1).messages()).extracting(m -> m.role() + ":" + m.content())
                .containsExactly("user:Solve 1+1.");
    }

    @Test
    void rowsWithoutAnIndexAreNumbered() throws IOException {
        MessageType schema = MessageTypeParser.parseMessageType("""
                message schema {
                  optional group prompt (LIST) {
                    repeated group list {
                      optional group element {
                        optional binary content (STRING);
                        optional binary role (STRING);
                      }
                    }
                  }
                  optional group reward_model {
                    optional binary ground_truth (STRING);
                  }
                }
                """);
        Path file = dir.resolve("plain.parquet");
        write(file, schema, f -> List.of(row(f, null, List.of("user", "q0"), "1", null),
                row(f, null, List.of("user", "q1"), "2", null)));
        assertThat(loader.parquet(file)).extracting(GrpoPrompt::id).containsExactly("row0", "row1");
    }

    @Test
    void badParquetIsRefusedNamingThePromptsKey() throws IOException {
        assertThatThrownBy(() -> loader.parquet(dir.resolve("missing.parquet")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no such file");
        Path text = dir.resolve("text.parquet");
        Files.writeString(text, "not parquet at all");
        assertThatThrownBy(() -> loader.parquet(text)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not a readable parquet file")
                .extracting(e -> ((InvalidRequestException) e).param()).isEqualTo("config.prompts");

        MessageType noReward = MessageTypeParser.parseMessageType("""
                message schema {
                  optional binary data_source (STRING);
                  optional group prompt (LIST) {
                    repeated group list {
                      optional group element {
                        optional binary content (STRING);
                        optional binary role (STRING);
                      }
                    }
                  }
                }
                """);
        Path missingColumn = dir.resolve("no-reward.parquet");
        write(missingColumn, noReward, f -> {
            Group g = f.newGroup();
            g.append("data_source", "x");
            g.addGroup("prompt").addGroup("list").addGroup("element").append("content", "q").append("role", "user");
            return List.of(g);
        });
        assertThatThrownBy(() -> loader.parquet(missingColumn)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("no 'reward_model' column");

        Path noTruth = dir.resolve("no-truth.parquet");
        write(noTruth, VERL_RL, f -> List.of(row(f, "d", List.of("user", "q"), null, 1L)));
        assertThatThrownBy(() -> loader.parquet(noTruth)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("row 0: no reward_model.ground_truth");

        Path badRole = dir.resolve("bad-role.parquet");
        write(badRole, VERL_RL, f -> List.of(row(f, "d", List.of("tool", "q"), "1", 1L)));
        assertThatThrownBy(() -> loader.parquet(badRole)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("role must be system, user or assistant, not tool");

        Path duplicate = dir.resolve("dup.parquet");
        write(duplicate, VERL_RL, f -> List.of(row(f, "d", List.of("user", "q"), "1", 1L),
                row(f, "d", List.of("user", "r"), "2", 1L)));
        assertThatThrownBy(() -> loader.parquet(duplicate)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("row 1: duplicate id 'd-1'");
    }

    /** A verl RL row; {@code messages} alternate role and content. */
    private static Group row(SimpleGroupFactory f, String source, List<String> messages, String truth, Long index) {
        Group g = f.newGroup();
        if (source != null) {
            g.append("data_source", source);
        }
        Group list = g.addGroup("prompt");
        for (int i = 0; i < messages.size(); i += 2) {
            list.addGroup("list").addGroup("element").append("content", messages.get(i + 1))
                    .append("role", messages.get(i));
        }
        Group reward = g.addGroup("reward_model");
        if (truth != null) {
            reward.append("ground_truth", truth);
        }
        if (index != null) {
            g.addGroup("extra_info").append("index", index).append("split", "train");
        }
        return g;
    }

    interface Rows {
        List<Group> make(SimpleGroupFactory factory);
    }

    static void write(Path file, MessageType schema, Rows rows) throws IOException {
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
                .withConf(new PlainParquetConfiguration()).build()) {
            for (Group g : rows.make(new SimpleGroupFactory(schema))) {
                writer.write(g);
            }
        }
    }
}
