package ai.aster.model.rest;

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

    @Override
    public synchronized void close() {
        armed = false;
        Thread.interrupted();
    }
}
