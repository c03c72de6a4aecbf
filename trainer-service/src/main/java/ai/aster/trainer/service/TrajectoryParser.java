package ai.aster.trainer.service;

import ai.aster.protocol.trajectory.Trajectory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Set;

/** Reads one Kafka record's value into a trajectory, or says precisely why it cannot be stored. */
public final class TrajectoryParser {

    static final Set<String> SOURCES = TrajectoryQuery.SOURCES;

    private final ObjectMapper json;

    public TrajectoryParser(ObjectMapper json) {
        this.json = json;
    }

    public ParsedTrajectory parse(String key, byte[] value) throws InvalidTrajectoryException {
        if (value == null || value.length == 0) {
            throw new InvalidTrajectoryException("empty message");
        }
        JsonNode tree;
        try {
            tree = json.readTree(value);
        } catch (JsonProcessingException e) {
            throw new InvalidTrajectoryException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidTrajectoryException("unreadable: " + e.getMessage());
        }
        if (tree == null || !(tree instanceof ObjectNode document)) {
            throw new InvalidTrajectoryException("not a JSON object");
        }
        Trajectory trajectory;
        try {
            trajectory = json.treeToValue(document, Trajectory.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidTrajectoryException("not a trajectory: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (trajectory.id() == null || trajectory.id().isBlank()) {
            throw new InvalidTrajectoryException("missing id");
        }
        if (trajectory.id().length() > 200) {
            throw new InvalidTrajectoryException("id longer than 200 characters");
        }
        if (key != null && !key.isEmpty() && !key.equals(trajectory.id())) {
            throw new InvalidTrajectoryException("record key " + key + " differs from id " + trajectory.id());
        }
        if (trajectory.createdAt() == null) {
            throw new InvalidTrajectoryException("missing created_at");
        }
        if (trajectory.source() == null || !SOURCES.contains(trajectory.source())) {
            throw new InvalidTrajectoryException("source must be one of api, rollout, eval, sft; was " + trajectory.source());
        }
        return new ParsedTrajectory(document, trajectory);
    }
}
