package ai.aster.gateway.service;

/**
 * Back-pressure from the client toward the model's token stream: while the client's write queue is full, the
 * upstream read pauses (the model service then sees TCP back-pressure too), and it resumes when the queue drains.
 * A slow client thus holds a bounded amount of memory in the gateway.
 */
public interface OutputGate {

    /** A client that never pushes back (a non-streaming response is built once, at the end). */
    OutputGate OPEN = new OutputGate() {
        @Override
        public boolean saturated() {
            return false;
        }

        @Override
        public void onDrained(Runnable resume) {
            resume.run();
        }
    };

    /** Whether the client's queue is over its limit now. Any thread. */
    boolean saturated();

    /** Runs {@code resume} once the queue has drained (or the client is gone); at once when not saturated. */
    void onDrained(Runnable resume);
}
