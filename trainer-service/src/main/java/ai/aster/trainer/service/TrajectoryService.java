package ai.aster.trainer.service;

import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.trainer.repository.TrajectoryStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Reads from the trajectory store for the API: pages, one document with its token view, aggregates. */
@ApplicationScoped
public class TrajectoryService {

    /** {@code GET /v1/trajectories/{id}}: the stored document and the token sequence rebuilt from it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TrajectoryDetail(JsonNode trajectory, TokenView tokenView) {}

    private final TrajectoryStore store;
    private final ObjectMapper json;

    public TrajectoryService(TrajectoryStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    public TrajectoryPage list(TrajectoryQuery query) {
        return store.query(query);
    }

    public Optional<TrajectoryDetail> get(String id) {
        return store.findDocument(id).map(this::detail);
    }

    public StoreStats stats() {
        return store.stats();
    }

    private TrajectoryDetail detail(String document) {
        try {
            JsonNode tree = json.readTree(document);
            return new TrajectoryDetail(tree, TokenView.of(json.treeToValue(tree, Trajectory.class)));
        } catch (JsonProcessingException e) {
            // stored rows passed the same parse on ingest
            throw new IllegalStateException("stored trajectory no longer parses: " + e.getOriginalMessage(), e);
        }
    }
}
