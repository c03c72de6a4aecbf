package ai.aster.gateway.service;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The trajectories of one request in flight; cancelling stops them (the client went away). */
public final class ChatExchange {

    private final List<AgentLoop.Running> trajectories = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    void add(AgentLoop.Running trajectory) {
        trajectories.add(trajectory);
        if (cancelled) {
            trajectory.cancel();
        }
    }

    public void cancel() {
        cancelled = true;
        trajectories.forEach(AgentLoop.Running::cancel);
    }

    public boolean cancelled() {
        return cancelled;
    }
}
