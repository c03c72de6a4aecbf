package ai.aster.trainer.dataset;

import static org.apache.parquet.schema.LogicalTypeAnnotation.listType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The parquet schemas of the exports, laid out as pyarrow writes Python lists and dicts (so pandas, pyarrow and
 * Hugging Face datasets read them back as verl expects): every column optional, strings as UTF-8 binary, a list as
 * the three-level {@code LIST} group ({@code repeated group list { optional element }}), a dict as a group.
 */
public final class ParquetSchemas {

    private ParquetSchemas() {}

    /** verl's RL prompt rows (see {@link DatasetRows#rlRow}). */
    public static MessageType rl() {
        return new MessageType("schema",
                string("data_source"),
                string("agent_name"),
                list("prompt", struct("element", string("role"), string("content"))),
                string("ability"),
                struct("reward_model", string("style"), string("ground_truth")),
                struct("extra_info", int64("index"), string("split"), string("problem_id"), string("source"),
                        string("trajectory_id")));
    }

    /** verl's multi-turn SFT rows (see {@link DatasetRows#sftRow}); {@code tools} takes the shape of the tools. */
    public static MessageType sft(JsonNode tools) {
        Type toolCall = struct("element", string("id"), string("type"),
                struct("function", string("name"), string("arguments")));
        return new MessageType("schema",
                list("messages", struct("element", string("role"), string("content"), list("tool_calls", toolCall),
                        string("tool_call_id"))),
                inferred("tools", tools),
                struct("extra_info", int64("index"), string("trajectory_id"), string("problem_id"), string("source"),
                        string("model"), int64("policy_version"), string("finish_reason"), int64("tool_calls"),
                        bool("correct"), float64("reward"), string("reference_answer")));
    }

    /**
     * The type pyarrow infers for a JSON value: an object is a struct of its fields in order, an array a list of its
     * first element's type (strings when empty), text a string, a whole number int64, other numbers double.
     */
    static Type inferred(String name, JsonNode value) {
        if (value.isObject()) {
            List<Type> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                fields.add(inferred(field.getKey(), field.getValue()));
            }
            return struct(name, fields.toArray(Type[]::new));
        }
        if (value.isArray()) {
            return list(name, value.isEmpty() ? string("element") : inferred("element", value.get(0)));
        }
        if (value.isBoolean()) {
            return bool(name);
        }
        if (value.isIntegralNumber()) {
            return int64(name);
        }
        if (value.isNumber()) {
            return float64(name);
        }
        return string(name);
    }

    static Type string(String name) {
        return Types.optional(PrimitiveTypeName.BINARY).as(stringType()).named(name);
    }

    static Type int64(String name) {
        return Types.optional(PrimitiveTypeName.INT64).named(name);
    }

    static Type float64(String name) {
        return Types.optional(PrimitiveTypeName.DOUBLE).named(name);
    }

    static Type bool(String name) {
        return Types.optional(PrimitiveTypeName.BOOLEAN).named(name);
    }

    static GroupType struct(String name, Type... fields) {
        return Types.optionalGroup().addFields(fields).named(name);
    }

    /** @param element named {@code element} */
    static GroupType list(String name, Type element) {
        return Types.optionalGroup().as(listType())
                .addField(Types.repeatedGroup().addField(element).named("list")).named(name);
    }

    static boolean isList(Type type) {
        return !type.isPrimitive() && type.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation;
    }
}
