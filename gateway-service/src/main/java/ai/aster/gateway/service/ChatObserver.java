package ai.aster.gateway.service;

/** Hears one chat request's progress: deltas per choice while it runs, then the result, exactly once. */
public interface ChatObserver {

    TrajectoryEvents events(int choice);

    void finished(ChatResult result);
}
