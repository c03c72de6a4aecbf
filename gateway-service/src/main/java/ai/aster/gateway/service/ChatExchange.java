package ai.aster.gateway.service;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;

/** The trajectories of one request in flight; cancelling interrupts them (the client went away). */
public final class ChatExchange {

    private final List<Future<?>> trajectories = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    void add(Future<?> trajectory) {
        trajectories.add(trajectory);
        if (cancelled) {
            trajectory.cancel(true);
        }
    }

    public void cancel() {
        cancelled = true;
        trajectories.forEach(t -> t.cancel(true));
    }

    public boolean cancelled() {
        return cancelled;
    }
}
