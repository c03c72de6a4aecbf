package ai.aster.model.service;

import java.util.function.BooleanSupplier;

/**
 * A response being produced, one event at a time (the chunks of an SSE stream). Validation happened before it
 * was returned, so a 4xx is never discovered here; a failure mid-way surfaces as {@link ApiException}.
 */
public interface EventStream<T> {

    /**
     * Blocks for the next event.
     *
     * @param clientGone polled while waiting: once true the stream cancels itself and ends
     * @return the event, or null once the stream has ended (or was cancelled)
     * @throws ApiException when generation failed mid-way
     */
    T next(BooleanSupplier clientGone) throws InterruptedException;

    /** Blocks for the next event of a caller that cannot go away (aggregation inside the service). */
    default T next() throws InterruptedException {
        return next(() -> false);
    }

    /** The client went away: stop producing (the engine frees the slot at its next step). */
    void cancel();
}
