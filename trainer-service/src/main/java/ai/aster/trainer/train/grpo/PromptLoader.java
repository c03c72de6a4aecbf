package ai.aster.trainer.train.grpo;

import ai.aster.protocol.openai.ChatMessage;
import ai.aster.trainer.eval.Benchmark;
import ai.aster.trainer.eval.BenchmarkLoader;
import ai.aster.trainer.eval.ChatEndpoint;
import ai.aster.trainer.eval.EvalException;
import ai.aster.trainer.eval.Problem;
import ai.aster.trainer.service.InvalidRequestException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads GRPO prompts: a JSONL file of {@code {"id", "problem", "answer"}} (the benchmarks' format, read by the
 * evaluation harness's {@link BenchmarkLoader}; the problem becomes one user message with the evaluation's
 * instruction suffix) or a verl RL parquet file ({@code prompt} = list of {@code {role, content}},
 * {@code reward_model.ground_truth}, optional {@code data_source} and {@code extra_info.index}), taken as written.
 * Bad input throws {@link InvalidRequestException} naming {@code config.prompts}.
 */
public final class PromptLoader {

    private static final String PARAM = "config.prompts";
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private final ObjectMapper json;

    public PromptLoader(ObjectMapper json) {
        this.json = json;
    }

    /** The problems of a {@code {id, problem, answer}} JSONL file, each as one user message. */
    public List<GrpoPrompt> jsonl(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidRequestException("config.prompts.jsonl: no such file: " + file, PARAM);
        }
        Benchmark benchmark;
        try {
            benchmark = new BenchmarkLoader(json).load(file.toString());
        } catch (EvalException e) {
            throw new InvalidRequestException("config.prompts.jsonl: " + e.getMessage(), PARAM);
        }
        List<GrpoPrompt> out = new ArrayList<>();
        for (Problem p : benchmark.problems()) {
            out.add(new GrpoPrompt(p.id(), List.of(ChatMessage.user(p.problem() + ChatEndpoint.PROMPT_SUFFIX)),
                    p.answer()));
        }
        return out;
    }

    /** The rows of a verl RL parquet file. */
    public List<GrpoPrompt> parquet(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidRequestException("config.prompts.parquet: no such file: " + file, PARAM);
        }
        List<GrpoPrompt> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file),
                ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            for (String column : List.of("prompt", "reward_model")) {
                if (!schema.containsField(column)) {
                    throw bad(file, "has no '" + column + "' column (a verl RL file has prompt, reward_model, "
                            + "data_source, extra_info)");
                }
            }
            PageReadStore pages;
            long row = 0;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++, row++) {
                    GrpoPrompt prompt = prompt(file, row, records.read());
                    if (!ids.add(prompt.id())) {
                        throw bad(file, "row " + row + ": duplicate id '" + prompt.id() + "'");
                    }
                    out.add(prompt);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidRequestException invalid) {
                throw invalid;
            }
            throw bad(file, "is not a readable parquet file: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw bad(file, "holds no rows");
        }
        return out;
    }

    private GrpoPrompt prompt(Path file, long row, Group g) {
        String where = "row " + row + ": ";
        List<ChatMessage> messages = new ArrayList<>();
        if (g.getFieldRepetitionCount("prompt") > 0) {
            for (Group m : elements(g.getGroup("prompt", 0))) {
                String role = text(m, "role");
                String content = text(m, "content");
                if (role == null || !ROLES.contains(role)) {
                    throw bad(file, where + "prompt message role must be system, user or assistant, not " + role);
                }
                if (content == null) {
                    throw bad(file, where + "prompt message without content");
                }
                messages.add(new ChatMessage(role, content, null, null, null, null, null));
            }
        }
        if (messages.isEmpty()) {
            throw bad(file, where + "empty prompt");
        }
        String answer = g.getFieldRepetitionCount("reward_model") > 0
                ? text(g.getGroup("reward_model", 0), "ground_truth") : null;
        if (answer == null || answer.isBlank()) {
            throw bad(file, where + "no reward_model.ground_truth");
        }
        String source = text(g, "data_source");
        String index = g.getType().containsField("extra_info") && g.getFieldRepetitionCount("extra_info") > 0
                ? text(g.getGroup("extra_info", 0), "index") : null;
        String id = (source == null ? "" : source + "-") + (index == null ? "row" + row : index);
        return new GrpoPrompt(id, messages, answer);
    }

    /**
     * The elements of a LIST group: the three-level layout pyarrow writes ({@code repeated group list {element}})
     * and the legacy two-level one ({@code repeated group array} holding the fields).
     */
    private static List<Group> elements(Group list) {
        List<Group> out = new ArrayList<>();
        if (list.getType().getFieldCount() != 1 || list.getType().getType(0).isPrimitive()) {
            throw new IllegalArgumentException("'prompt' is not a list of {role, content}");
        }
        int repeats = list.getFieldRepetitionCount(0);
        for (int i = 0; i < repeats; i++) {
            Group item = list.getGroup(0, i);
            GroupType type = item.getType();
            boolean wrapped = type.getFieldCount() == 1 && !type.getType(0).isPrimitive();
            if (wrapped) {
                if (item.getFieldRepetitionCount(0) > 0) {
                    out.add(item.getGroup(0, 0));
                }
            } else {
                out.add(item);
            }
        }
        return out;
    }

    /** A primitive field's value as text (strings as written, numbers in decimal), or null when absent. */
    private static String text(Group g, String field) {
        GroupType type = g.getType();
        if (!type.containsField(field) || g.getFieldRepetitionCount(field) == 0) {
            return null;
        }
        Type t = type.getType(field);
        if (!t.isPrimitive()) {
            return null;
        }
        if (t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY) {
            return g.getString(field, 0);
        }
        return g.getValueToString(type.getFieldIndex(field), 0);
    }

    private static InvalidRequestException bad(Path file, String message) {
        return new InvalidRequestException("config.prompts.parquet: " + file + " " + message, PARAM);
    }
}
