package ai.aster.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A run's folder: {@code run.json} (how its samples are drawn), {@code samples.jsonl} (the journal) and, once
 * complete, {@code report.json} and {@code report.md}. Reopening a folder resumes its run; it refuses other sampling
 * settings, which would mix samples of two different experiments into one score.
 */
public final class RunFolder {

    public static final String SETTINGS = "run.json";
    public static final String REPORT_JSON = "report.json";
    public static final String REPORT_MD = "report.md";

    private final Path dir;
    private final ObjectMapper json;

    private RunFolder(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
    }

    /** Creates the folder for these settings, or checks that an existing one was made with the same. */
    public static RunFolder open(ObjectMapper json, Path dir, SamplingSettings sampling) {
        RunFolder folder = new RunFolder(dir, json);
        Path file = dir.resolve(SETTINGS);
        try {
            Files.createDirectories(dir);
            if (Files.exists(file)) {
                SamplingSettings earlier = json.readValue(file.toFile(), SamplingSettings.class);
                if (!earlier.equals(sampling)) {
                    throw new EvalException(dir + " holds a run drawn with other settings (" + describe(earlier)
                            + "; now " + describe(sampling) + "): use another --out, or the same settings to resume");
                }
            } else {
                folder.writeAtomically(SETTINGS, json.writer().with(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(sampling));
            }
        } catch (IOException e) {
            throw new EvalException("cannot use " + dir + " as the run folder: " + e.getMessage(), e);
        }
        return folder;
    }

    private static String describe(SamplingSettings s) {
        return "benchmark " + s.benchmark() + ", model " + s.model() + ", temperature " + s.temperature() + ", top-p "
                + s.topP() + ", max tool calls " + s.maxToolCalls() + ", max tokens "
                + (s.maxTokens() == null ? "server default" : s.maxTokens());
    }

    public Path dir() {
        return dir;
    }

    public SampleJournal journal() {
        return SampleJournal.open(json, dir);
    }

    /** Writes report.json and report.md (each replaced whole, never left half-written). */
    public void writeReport(EvalReport report, String markdown) {
        try {
            writeAtomically(REPORT_JSON, json.writer().with(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(report));
            writeAtomically(REPORT_MD, markdown);
        } catch (IOException e) {
            throw new EvalException("cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
    }

    private void writeAtomically(String name, String text) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
