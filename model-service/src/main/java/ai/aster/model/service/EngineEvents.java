package ai.aster.model.service;

import ai.aster.model.engine.EngineLoop;
import ai.aster.model.engine.RequestListener;
import ai.aster.model.engine.RequestOutput;
import ai.aster.protocol.openai.ApiError;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Hands one request's outputs from the engine thread to the thread writing its response: the engine never blocks
 * on a slow client, the writer blocks on the queue.
 */
final class EngineEvents implements RequestListener {

    private record Failure(String message) {}

    /** Queued on cancel: the engine sends nothing more for a dropped request, so the reader must not wait. */
    private static final Object CANCELLED = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private EngineLoop.Submission submission;
    private boolean ended;

    void attach(EngineLoop.Submission submission) {
        this.submission = submission;
    }

    @Override
    public void onOutput(RequestOutput output) {
        queue.add(output);
    }

    @Override
    public void onFailure(String message) {
        queue.add(new Failure(message));
    }

    /** The next output, or null after the last one; a failure inside the engine becomes a 500 {@link ApiException}. */
    RequestOutput next(BooleanSupplier clientGone) throws InterruptedException {
        if (ended) {
            return null;
        }
        Object event = null;
        // the framework does not tell a blocked writer that its client left: look at every event, and every
        // 100 ms while none comes
        while (event == null) {
            if (clientGone.getAsBoolean()) {
                cancel();
                ended = true;
                return null;
            }
            event = queue.poll(100, TimeUnit.MILLISECONDS);
        }
        if (event == CANCELLED) {
            ended = true;
            return null;
        }
        if (event instanceof Failure failure) {
            ended = true;
            throw new ApiException(500, ApiError.internal(failure.message()));
        }
        RequestOutput output = (RequestOutput) event;
        if (output.finished()) {
            ended = true;
        }
        return output;
    }

    void cancel() {
        if (submission != null) {
            submission.cancel();
        }
        queue.add(CANCELLED);
    }
}
