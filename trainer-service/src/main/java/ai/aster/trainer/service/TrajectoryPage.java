package ai.aster.trainer.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A page of trajectories; {@code next_cursor} is null on the last page. */
public record TrajectoryPage(List<TrajectorySummary> data, @JsonProperty("next_cursor") String nextCursor) {}
