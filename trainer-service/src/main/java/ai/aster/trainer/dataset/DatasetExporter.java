package ai.aster.trainer.dataset;

import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.trainer.repository.TrajectoryStore;
import ai.aster.trainer.service.PageCursor;
import ai.aster.trainer.service.StoredDocument;
import ai.aster.trainer.service.TrajectoryQuery;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes an export of the trajectory store into a file: walks every trajectory matching the filters, newest first,
 * a keyset page at a time (rows that arrive meanwhile are newer than the walk's start and are left out), so memory
 * holds one page of documents, the writer's current row group, and for RL the keys of the problems already written.
 */
@ApplicationScoped
public class DatasetExporter {

    /** Documents per store round trip; a trajectory with 50 tool calls and its token ids is some 100 KB of JSON. */
    static final int PAGE_SIZE = 32;

    /**
     * @param filters    the store's trajectory filters; its cursor and limit are not used (the export walks all pages)
     * @param dataSource verl's {@code data_source} of RL rows (it picks verl's reward function)
     * @param split      {@code extra_info.split} of RL rows
     */
    public record ExportRequest(ExportFormat format, TrajectoryQuery filters, String dataSource, String split) {}

    /** A finished export in a temporary file, which its receiver deletes once sent. */
    public record ExportedFile(Path file, long rows, long bytes) {

        public void delete() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file: the OS cleans its temp folder
            }
        }
    }

    private final TrajectoryStore store;
    private final ObjectMapper json;

    public DatasetExporter(TrajectoryStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    /** Exports into a new temporary file; on failure nothing is left behind. */
    public ExportedFile exportToTemporaryFile(ExportRequest request) {
        Path file = null;
        try {
            file = Files.createTempFile("aster-export-", "." + request.format().extension());
            long rows = export(request, file);
            return new ExportedFile(file, rows, Files.size(file));
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                new ExportedFile(file, 0, 0).delete();
            }
            throw e instanceof IOException io ? new UncheckedIOException("export failed: " + io.getMessage(), io)
                    : (RuntimeException) e;
        }
    }

    /** @return rows written */
    public long export(ExportRequest request, Path file) throws IOException {
        DatasetRows rows = new DatasetRows(json);
        boolean rl = request.format() == ExportFormat.VERL_RL;
        Set<String> problemsWritten = new HashSet<>();
        long written = 0;
        try (RowSink sink = open(request.format(), file, rows)) {
            PageCursor after = null;
            List<StoredDocument> page;
            do {
                page = store.documents(page(request.filters(), after), rl);
                for (StoredDocument stored : page) {
                    Trajectory trajectory = parse(stored);
                    if (rl) {
                        Optional<String> key = DatasetRows.problemKey(trajectory);
                        if (key.isEmpty() || !problemsWritten.add(key.get())) {
                            continue;
                        }
                        sink.write(rows.rlRow(trajectory, written, request.dataSource(), request.split()));
                    } else {
                        sink.write(rows.sftRow(trajectory, stored, written));
                    }
                    written++;
                }
                after = page.isEmpty() ? after : page.getLast().position();
            } while (page.size() == PAGE_SIZE);
        }
        return written;
    }

    private RowSink open(ExportFormat format, Path file, DatasetRows rows) throws IOException {
        return switch (format) {
            case VERL_RL -> new ParquetSink(file, ParquetSchemas.rl());
            case VERL_SFT -> new ParquetSink(file, ParquetSchemas.sft(rows.tools()));
            case JSONL -> new JsonLinesSink(json, file);
        };
    }

    private static TrajectoryQuery page(TrajectoryQuery f, PageCursor after) {
        return new TrajectoryQuery(f.source(), f.problemId(), f.model(), f.minPolicyVersion(), f.maxPolicyVersion(),
                f.minToolCalls(), f.maxToolCalls(), f.finishReason(), f.correct(), f.since(), after, PAGE_SIZE);
    }

    private Trajectory parse(StoredDocument stored) {
        try {
            return json.readValue(stored.document(), Trajectory.class);
        } catch (JsonProcessingException e) {
            // stored rows passed the same parse on ingest
            throw new IllegalStateException("stored trajectory " + stored.position().id() + " no longer parses: "
                    + e.getOriginalMessage(), e);
        }
    }
}
