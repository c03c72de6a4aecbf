package ai.aster.model.rest;

import ai.aster.model.service.ApiException;
import ai.aster.protocol.openai.ApiError;
import io.vertx.core.http.HttpServerResponse;

/**
 * Interrupts the worker thread waiting for a non-streamed result when its client goes away, so the engine frees
 * the request's slot; disarmed (and any late interrupt cleared) before the thread returns to the pool.
 */
final class ClientDisconnect implements AutoCloseable {

    private final Thread worker = Thread.currentThread();
    private boolean armed = true;

    ClientDisconnect(HttpServerResponse connection) {
        if (connection != null) {
            connection.closeHandler(v -> fire());
        }
    }

    private synchronized void fire() {
        if (armed) {
            worker.interrupt();
        }
    }

    /** What a request whose client left answers (nobody reads it): nginx's 499, client closed request. */
    static ApiException gone() {
        return new ApiException(499, ApiError.of("invalid_request_error", "the client closed the request", null,
                "client_closed_request"));
    }

    @Override
    public synchronized void close() {
        armed = false;
        Thread.interrupted();
    }
}
