package ai.aster.trainer.service;

import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.TrajectoryUsage;
import ai.aster.protocol.trajectory.Turn;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Turns one batch of Kafka records into stored rows: parse, grade, upsert, and send what cannot be parsed or stored
 * to the dead-letter topic with the reason. It returns only when every record of the batch is either stored or
 * dead-lettered, so the caller may then commit the batch's offsets. A database that cannot be reached is not the
 * records' fault: {@link StoreUnavailableException} propagates and the caller retries the same batch.
 */
public final class TrajectoryIngest {

    private static final Logger LOG = Logger.getLogger(TrajectoryIngest.class);

    private final TrajectoryParser parser;
    private final IngestGrader grader;
    private final TrajectoryWriter writer;
    private final DeadLetters deadLetters;
    private final ObjectMapper json;

    public TrajectoryIngest(TrajectoryParser parser, IngestGrader grader, TrajectoryWriter writer,
            DeadLetters deadLetters, ObjectMapper json) {
        this.parser = parser;
        this.grader = grader;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.json = json;
    }

    /** What became of a batch. */
    public record Outcome(int stored, int deadLettered) {}

    /** A record made ready to store, with the record it came from (for its dead-letter copy). */
    public record Prepared(IncomingRecord record, StoredTrajectory row) {}

    /** Parses and grades; records that are not trajectories go to the dead-letter topic here, once. */
    public List<Prepared> prepare(List<IncomingRecord> records) {
        // the same id twice in one batch (a re-publish) keeps the later one, as the upsert would
        Map<String, Prepared> byId = new LinkedHashMap<>();
        for (IncomingRecord record : records) {
            try {
                ParsedTrajectory parsed = parser.parse(record.key(), record.value());
                byId.remove(parsed.trajectory().id());
                byId.put(parsed.trajectory().id(), new Prepared(record, toRow(parsed)));
            } catch (InvalidTrajectoryException e) {
                deadLetters.send(record, e.getMessage());
            }
        }
        return new ArrayList<>(byId.values());
    }

    /**
     * Stores prepared rows: one transaction for the batch; when the database refuses some row, row by row, and the
     * refused ones go to the dead-letter topic. Throws {@link StoreUnavailableException} (retry) when it is down.
     */
    public Outcome store(List<Prepared> prepared) {
        if (prepared.isEmpty()) {
            return new Outcome(0, 0);
        }
        try {
            writer.upsertAll(prepared.stream().map(Prepared::row).toList());
            return new Outcome(prepared.size(), 0);
        } catch (RowRejectedException batchRefused) {
            int stored = 0;
            int rejected = 0;
            for (Prepared p : prepared) {
                try {
                    writer.upsert(p.row());
                    stored++;
                } catch (RowRejectedException e) {
                    LOG.warnf("trajectory %s refused by the database: %s", p.row().id(), e.getMessage());
                    deadLetters.send(p.record(), "not storable: " + e.getMessage());
                    rejected++;
                }
            }
            return new Outcome(stored, rejected);
        }
    }

    private StoredTrajectory toRow(ParsedTrajectory parsed) throws InvalidTrajectoryException {
        Trajectory t = parsed.trajectory();
        ObjectNode document = parsed.document();
        Double reward = t.reward();
        Boolean correct = null;
        Optional<Boolean> verdict = gradeQuietly(t);
        if (verdict.isPresent()) {
            correct = verdict.get();
            reward = correct ? 1.0 : 0.0;
            document.put("reward", reward);
            document.put("correct", correct);
        }
        TrajectoryUsage usage = t.usage();
        List<Turn> turns = t.turns() == null ? List.of() : t.turns();
        int toolCalls = usage != null ? usage.toolCalls() : (int) turns.stream().filter(x -> x.toolCall() != null).count();
        int formatErrors = usage != null ? usage.formatErrors()
                : (int) turns.stream().filter(x -> x.toolCall() != null && x.toolCall().formatError() != null).count();
        int completionTokens = usage != null ? usage.completionTokens()
                : turns.stream().mapToInt(x -> x.completionTokenIds() == null ? 0 : x.completionTokenIds().size()).sum();
        String text;
        try {
            text = withoutNul(json.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new InvalidTrajectoryException("cannot serialise: " + e.getOriginalMessage());
        }
        return new StoredTrajectory(t.id(), t.createdAt(), t.source(), t.model(), t.policyVersion(), t.problemId(),
                toolCalls, formatErrors, t.finishReason(), completionTokens, reward, correct, text);
    }

    /** A {@code \\u0000} escape not itself escaped (an even run of backslashes before it). */
    private static final java.util.regex.Pattern NUL_ESCAPE = java.util.regex.Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

    /**
     * PostgreSQL's JSONB cannot hold U+0000 ("unsupported Unicode escape sequence"), and an untrained model does write
     * NUL bytes: each becomes U+FFFD in the stored text. Token ids, which training reads, are untouched.
     */
    static String withoutNul(String jsonText) {
        return jsonText.contains("\\u0000") ? NUL_ESCAPE.matcher(jsonText).replaceAll("$1\\\\uFFFD") : jsonText;
    }

    private Optional<Boolean> gradeQuietly(Trajectory t) {
        try {
            return grader.grade(t);
        } catch (RuntimeException e) {
            // the grader promises never to throw; if it does, the trajectory is still stored, ungraded
            LOG.warnf(e, "grading trajectory %s failed; stored ungraded", t.id());
            return Optional.empty();
        }
    }
}
