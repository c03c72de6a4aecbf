package ai.aster.trainer.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * JSON rows into a parquet file through parquet's Group API (no Hadoop: a local file and a plain configuration).
 * Each schema field takes the row's value of the same name; an absent or null value is a null. Memory is bounded by
 * the row group size: rows are flushed to the file a row group at a time.
 */
final class ParquetSink implements RowSink {

    /** pyarrow's default codec; every parquet reader has it. */
    private static final CompressionCodecName CODEC = CompressionCodecName.SNAPPY;
    private static final long ROW_GROUP_BYTES = 32L * 1024 * 1024;

    private final MessageType schema;
    private final SimpleGroupFactory groups;
    private final ParquetWriter<Group> writer;

    ParquetSink(Path file, MessageType schema) throws IOException {
        this.schema = schema;
        this.groups = new SimpleGroupFactory(schema);
        this.writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration())
                .withType(schema)
                .withCompressionCodec(CODEC)
                .withRowGroupSize(ROW_GROUP_BYTES)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .build();
    }

    @Override
    public void write(ObjectNode row) throws IOException {
        Group group = groups.newGroup();
        fill(group, schema, row);
        writer.write(group);
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    private static void fill(Group group, GroupType type, JsonNode node) {
        for (int i = 0; i < type.getFieldCount(); i++) {
            JsonNode value = node.get(type.getType(i).getName());
            if (value != null && !value.isNull()) {
                add(group, i, type.getType(i), value);
            }
        }
    }

    private static void add(Group group, int index, Type field, JsonNode value) {
        if (ParquetSchemas.isList(field)) {
            Group list = group.addGroup(index);
            Type element = field.asGroupType().getType(0).asGroupType().getType(0);
            for (JsonNode item : value) {
                Group entry = list.addGroup(0); // one repeated "list" group per item; a null item leaves it empty
                if (item != null && !item.isNull()) {
                    add(entry, 0, element, item);
                }
            }
            return;
        }
        if (!field.isPrimitive()) {
            fill(group.addGroup(index), field.asGroupType(), value);
            return;
        }
        switch (field.asPrimitiveType().getPrimitiveTypeName()) {
            case INT64 -> group.add(index, value.asLong());
            case INT32 -> group.add(index, value.asInt());
            case DOUBLE -> group.add(index, value.asDouble());
            case BOOLEAN -> group.add(index, value.asBoolean());
            default -> group.add(index, value.isTextual() ? value.textValue() : value.toString());
        }
    }
}
