package ai.aster.model.engine;

import java.util.List;

/** What runs in one engine step; {@code prefillTokens} of the total are prompt tokens. */
public record SchedulerOutput(List<Work> works, int prefillTokens) {

    public boolean isEmpty() {
        return works.isEmpty();
    }
}
