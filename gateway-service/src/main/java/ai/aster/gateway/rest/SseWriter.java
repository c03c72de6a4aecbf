package ai.aster.gateway.rest;

import ai.aster.gateway.service.OutputGate;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Writes one response's server-sent events in order, from any thread, and tells the token stream when to pause:
 * saturated while the events waiting for the event loop plus Vert.x's own write queue exceed their limits (a slow
 * client), drained once both are back under. The head (status, SSE headers, the opening chunks) goes out with the
 * first event, so a request that fails before producing anything still gets a plain error status.
 */
final class SseWriter implements OutputGate {

    /** Event bytes handed over but not yet given to Vert.x before the token stream pauses. */
    static final long MAX_PENDING_BYTES = 256 * 1024;

    private final HttpServerResponse response;
    private final Context context;
    private final Supplier<String> head;
    private final Runnable onStart;
    private final AtomicLong pending = new AtomicLong();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final Queue<String> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Handler<Void> flush = v -> writeQueued();
    private volatile boolean queueFull;
    private boolean started; // the response's context only

    /**
     * @param head    the opening events, written before the first one
     * @param onStart runs once when the head is written (the 200 is committed)
     */
    SseWriter(HttpServerResponse response, Context context, Supplier<String> head, Runnable onStart) {
        this.response = response;
        this.context = context;
        this.head = head;
        this.onStart = onStart;
    }

    /**
     * Queues one or more complete events ({@code data: ...\n\n}); any thread. Events queued while a write to the
     * event loop is already scheduled go out with it, as one write: one hop and one flush per burst of tokens (a
     * read from the model service often holds several events) rather than per event.
     */
    void send(String events) {
        pending.addAndGet(events.length());
        queued.add(events);
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            context.runOnContext(flush);
        }
    }

    /**
     * Writes what is queued, then {@code last}, and ends the response (if the client is still there): one write, head
     * included when nothing was written yet (each write is a flush, a system call and a wake-up of the client).
     */
    void end(String last) {
        if (Vertx.currentContext() == context) {
            endNow(last); // the usual case (the trajectory runs here): a flush already scheduled then finds nothing
        } else {
            context.runOnContext(v -> endNow(last));
        }
    }

    private void endNow(String last) {
        String events = takeQueued();
        if (open()) {
            response.end(withHead(events == null ? last : events + last));
        }
        release();
    }

    /** Whether the head has been written (the response's context only). */
    boolean started() {
        return started;
    }

    @Override
    public boolean saturated() {
        return queueFull || pending.get() > MAX_PENDING_BYTES;
    }

    @Override
    public void onDrained(Runnable resume) {
        waiting.add(resume);
        if (!saturated() || !open()) {
            release();
        }
    }

    /** Writes every queued event as one write (the response's context only). */
    private void writeQueued() {
        scheduled.set(false); // a send after this schedules another flush; one before it is polled below
        String events = takeQueued();
        if (events == null) {
            return;
        }
        if (!open()) {
            release(); // the client is gone: let the stream run to its cancellation
            return;
        }
        String out = withHead(events);
        if (!out.isEmpty()) {
            response.write(out);
        }
        if (response.writeQueueFull()) {
            if (!queueFull) {
                queueFull = true;
                response.drainHandler(v -> {
                    queueFull = false;
                    if (!saturated()) {
                        release();
                    }
                });
            }
        } else if (!saturated()) {
            release();
        }
    }

    /** Every queued event in order, as one string, or null when none is queued. */
    private String takeQueued() {
        String first = queued.poll();
        if (first == null) {
            return null;
        }
        String next = queued.poll();
        String events;
        if (next == null) {
            events = first;
        } else {
            StringBuilder batch = new StringBuilder(first.length() * 4).append(first).append(next);
            while ((next = queued.poll()) != null) {
                batch.append(next);
            }
            events = batch.toString();
        }
        pending.addAndGet(-events.length());
        return events;
    }

    /** {@code events}, preceded by the head (status and SSE headers set) when the response has not started. */
    private String withHead(String events) {
        if (started) {
            return events;
        }
        started = true;
        onStart.run();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        return head.get() + events;
    }

    /**
     * The client went away. Called from the route's close handler (a response has one close handler only: setting a
     * second one here replaced the route's, so a disconnect no longer cancelled the trajectory).
     */
    void clientClosed() {
        release();
    }

    private boolean open() {
        return !response.closed() && !response.ended();
    }

    private void release() {
        Runnable resume;
        while ((resume = waiting.poll()) != null) {
            resume.run();
        }
    }
}
