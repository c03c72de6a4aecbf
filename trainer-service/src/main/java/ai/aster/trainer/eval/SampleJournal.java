package ai.aster.trainer.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's {@code samples.jsonl}: every graded sample is appended the moment it finishes, so a crash loses at most
 * the samples in flight, and a restarted run skips what is already there. A line cut short by a crash is dropped
 * when the journal is opened again.
 */
public final class SampleJournal implements AutoCloseable {

    public static final String FILE = "samples.jsonl";

    private final ObjectMapper json;
    private final FileChannel channel;
    private final Map<String, SampleOutcome> samples;

    private SampleJournal(ObjectMapper json, FileChannel channel, Map<String, SampleOutcome> samples) {
        this.json = json;
        this.channel = channel;
        this.samples = samples;
    }

    /** Opens (or creates) {@code dir/samples.jsonl} and reads what it holds. */
    public static SampleJournal open(ObjectMapper json, Path dir) {
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            Map<String, SampleOutcome> samples = new LinkedHashMap<>();
            if (Files.exists(file)) {
                byte[] bytes = Files.readAllBytes(file);
                int end = lastNewline(bytes) + 1; // a partial last line (crash mid-write) is cut off
                if (end < bytes.length) {
                    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        c.truncate(end);
                    }
                }
                for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        SampleOutcome s = parse(json, file, line);
                        samples.put(s.key(), s);
                    }
                }
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            return new SampleJournal(json, channel, samples);
        } catch (IOException e) {
            throw new EvalException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    private static SampleOutcome parse(ObjectMapper json, Path file, String line) {
        try {
            return json.readValue(line, SampleOutcome.class);
        } catch (JsonProcessingException e) {
            throw new EvalException(file + " holds a line that is not a sample (" + e.getOriginalMessage()
                    + "); move the file away to start over");
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The samples read at open plus those appended since, by {@link SampleOutcome#key()}. */
    public synchronized Map<String, SampleOutcome> samples() {
        return Map.copyOf(samples);
    }

    public synchronized boolean contains(String problemId, int index) {
        return samples.containsKey(SampleOutcome.key(problemId, index));
    }

    /** Writes one line (a single write, flushed to the operating system before this returns). */
    public synchronized void append(SampleOutcome sample) {
        try {
            byte[] line = (json.writeValueAsString(sample) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            samples.put(sample.key(), sample);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All samples of these problems with index below k, in problem order then index order. */
    public synchronized List<SampleOutcome> samplesOf(List<Problem> problems, int k) {
        return problems.stream().flatMap(p -> java.util.stream.IntStream.range(0, k)
                .mapToObj(i -> samples.get(SampleOutcome.key(p.id(), i)))).filter(java.util.Objects::nonNull)
                .toList();
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
