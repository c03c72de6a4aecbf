package ai.aster.model.service;

import ai.aster.model.engine.EngineLoop;
import ai.aster.model.engine.RequestListener;
import ai.aster.model.engine.RequestOutput;
import ai.aster.protocol.openai.ApiError;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Hands one request's outputs from the engine thread to the thread writing its response: the engine never blocks
 * on a slow client, the writer blocks on the queue.
 */
final class EngineEvents implements RequestListener {

    private record Failure(String message) {}

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
    RequestOutput next() throws InterruptedException {
        if (ended) {
            return null;
        }
        Object event = queue.take();
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
    }
}
