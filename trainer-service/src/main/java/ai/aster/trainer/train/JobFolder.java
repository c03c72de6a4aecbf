package ai.aster.trainer.train;

import ai.aster.modeling.train.PolicyTrainer;
import ai.aster.modeling.train.TrainerCheckpoint;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of one training job under the checkpoint root: {@code job.json} (replaced atomically),
 * {@code steps.jsonl} (one {@link StepRecord} a line, appended and flushed), {@code checkpoints/step-NNNNNN/}
 * (written into a hidden temporary folder, then renamed: a crash never leaves half a checkpoint under that name)
 * and the PNG curves.
 */
public final class JobFolder {

    public static final String JOB_FILE = "job.json";
    public static final String STEPS_FILE = "steps.jsonl";
    public static final String CHECKPOINTS = "checkpoints";
    private static final Pattern CHECKPOINT = Pattern.compile("step-(\\d{6,})");

    private final Path dir;
    private final ObjectMapper json;

    public JobFolder(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
    }

    public Path dir() {
        return dir;
    }

    public boolean exists() {
        return Files.isRegularFile(dir.resolve(JOB_FILE));
    }

    public JobFile readJobFile() throws IOException {
        return json.readValue(dir.resolve(JOB_FILE).toFile(), JobFile.class);
    }

    public void writeJobFile(JobFile file) {
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(JOB_FILE), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(JOB_FILE), e);
        }
    }

    /** Appends one line and flushes it to the file before returning. */
    public void appendStep(StepRecord record) {
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(STEPS_FILE), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write(json.writeValueAsString(record));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(STEPS_FILE), e);
        }
    }

    /** Every complete line of the step log, in order (a line cut short by a crash is left out). */
    public List<StepRecord> readSteps() {
        Path file = dir.resolve(STEPS_FILE);
        List<StepRecord> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(json.readValue(line, StepRecord.class));
                } catch (IOException e) {
                    // the torn last line of a crash: the step is run again on resume
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException("cannot read " + file, e instanceof IOException io ? io
                    : ((UncheckedIOException) e).getCause());
        }
        return out;
    }

    /** Keeps the records up to {@code step} (a resumed job runs the later ones again from its checkpoint). */
    public void truncateSteps(int step) {
        List<StepRecord> kept = readSteps().stream().filter(r -> r.step() <= step).toList();
        StringBuilder text = new StringBuilder();
        try {
            for (StepRecord r : kept) {
                text.append(json.writeValueAsString(r)).append('\n');
            }
            if (Files.exists(dir.resolve(STEPS_FILE)) || !kept.isEmpty()) {
                writeAtomically(dir.resolve(STEPS_FILE), text.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + dir.resolve(STEPS_FILE), e);
        }
    }

    /** The newest complete checkpoint folder, if any. */
    public Optional<Path> newestCheckpoint() {
        Path root = dir.resolve(CHECKPOINTS);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> CHECKPOINT.matcher(d.getFileName().toString()).matches())
                    .filter(d -> Files.isRegularFile(d.resolve(TrainerCheckpoint.STATE_FILE)))
                    .max(Comparator.comparingLong(JobFolder::checkpointStep));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    public static long checkpointStep(Path checkpoint) {
        Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Writes {@code trainer} as {@code checkpoints/step-NNNNNN/} (temporary folder, then one rename). */
    public Path writeCheckpoint(PolicyTrainer trainer) {
        Path root = dir.resolve(CHECKPOINTS);
        String name = String.format("step-%06d", trainer.step());
        Path target = root.resolve(name);
        Path temp = root.resolve("." + name + ".tmp");
        try {
            Files.createDirectories(root);
            deleteTree(temp);
            TrainerCheckpoint.save(trainer, temp);
            deleteTree(target); // the same step saved again (e.g. on cancel right after a scheduled checkpoint)
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    public Path curve(String name) {
        return dir.resolve(name + ".png");
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(temp, bytes);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
