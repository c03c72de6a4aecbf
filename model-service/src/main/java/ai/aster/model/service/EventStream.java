package ai.aster.model.service;

/**
 * A response being produced, one event at a time (the chunks of an SSE stream). Validation happened before it
 * was returned, so a 4xx is never discovered here; a failure mid-way surfaces as {@link ApiException}.
 */
public interface EventStream<T> {

    /**
     * Blocks for the next event.
     *
     * @return the event, or null once the stream has ended
     * @throws ApiException when generation failed mid-way
     */
    T next() throws InterruptedException;

    /** The client went away: stop producing (the engine frees the slot at its next step). */
    void cancel();
}
