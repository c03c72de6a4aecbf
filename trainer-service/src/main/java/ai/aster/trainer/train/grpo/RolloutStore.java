package ai.aster.trainer.train.grpo;

import ai.aster.trainer.service.TrajectoryService;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Waits for rollouts to reach the trajectory store: the gateway answers before its trajectory has gone through
 * Kafka and been graded on ingest, so the trainer polls the store (by id) until every one is there or the bound
 * runs out; what is still missing then is left out by the caller and counted.
 */
final class RolloutStore {

    private static final long POLL_MILLIS = 200;

    private final TrajectoryService trajectories;

    RolloutStore(TrajectoryService trajectories) {
        this.trajectories = trajectories;
    }

    /** The stored trajectories of {@code ids} that arrived within {@code timeout}, by id. */
    Map<String, TrajectoryService.TrajectoryDetail> await(List<String> ids, Duration timeout)
            throws InterruptedException {
        Map<String, TrajectoryService.TrajectoryDetail> found = new HashMap<>();
        Set<String> pending = new LinkedHashSet<>(ids);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (var it = pending.iterator(); it.hasNext(); ) {
                String id = it.next();
                var detail = trajectories.get(id);
                if (detail.isPresent()) {
                    found.put(id, detail.get());
                    it.remove();
                }
            }
            if (pending.isEmpty() || System.nanoTime() >= deadline) {
                return found;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
