package ai.aster.gateway.client;

import ai.aster.gateway.service.DependencyUnavailableException;
import ai.aster.gateway.service.OutputGate;
import ai.aster.protocol.openai.CompletionResponse;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.parsetools.RecordParser;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One streamed completion from the model service: SSE lines split by Vert.x's {@link RecordParser} (no hand-written
 * codec), each event read once by {@link CompletionEventScanner} into the few fields the loop needs, handed to the
 * consumer on the upstream's event loop. Two guarantees the agent loop relies on:
 * <ul>
 *   <li>once {@link #done} is complete (the end, a failure, a cancel), the consumer is not called again: a delivery
 *       checks it first, and (on a foreign thread) {@link #close()} waits for a delivery in progress. The trajectory
 *       can finish the turn's state without racing the network (deadline, cancel);</li>
 *   <li>while the client's {@link OutputGate} is saturated the read is paused, and resumed when it drains.</li>
 * </ul>
 */
final class TokenStream {

    private static final byte[] DATA = "data:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final Buffer DONE_EVENT = Buffer.buffer("[DONE]");

    final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Consumer<CompletionResponse> onChunk;
    private final OutputGate gate;
    private final String name;
    private final Function<Throwable, RuntimeException> translate;
    private final Object delivery = new Object(); // held while the consumer runs; close() takes it too
    private boolean closed; // guarded by delivery
    private volatile boolean closing; // read by the event loop: a request that arrives after close() is reset
    private volatile HttpClientRequest request;
    private volatile boolean ended;
    private Buffer data; // the current event's data lines (event loop only)

    TokenStream(Consumer<CompletionResponse> onChunk, OutputGate gate, String name,
            Function<Throwable, RuntimeException> translate) {
        this.onChunk = onChunk;
        this.gate = gate;
        this.name = name;
        this.translate = translate;
    }

    void sent(HttpClientRequest request) {
        this.request = request;
        if (closing) {
            request.reset(); // the deadline passed before the request was even sent
        }
    }

    /** Reads a 200 response's event stream (on the response's context). */
    void read(HttpClientResponse response, Context context) {
        // the parser is fed by the response rather than wrapping it: pausing both stops the records already read
        // and the reads to come, and a pooled connection is never left paused by the parser's own flow control
        RecordParser lines = RecordParser.newDelimited("\n");
        lines.handler(line -> onLine(line, response, lines, context));
        response.handler(lines);
        response.exceptionHandler(e -> fail(translate.apply(e)));
        response.endHandler(v -> {
            ended = true;
            done.complete(null);
        });
    }

    void fail(RuntimeException failure) {
        done.completeExceptionally(failure);
    }

    private void onLine(Buffer line, HttpClientResponse response, RecordParser lines, Context context) {
        int end = line.length();
        if (end > 0 && line.getByte(end - 1) == '\r') {
            end--;
        }
        if (end == 0) { // a blank line ends the event
            Buffer event = data;
            data = null;
            if (event != null) {
                dispatch(event);
                if (gate.saturated()) {
                    lines.pause();
                    response.pause();
                    gate.onDrained(() -> context.runOnContext(v -> {
                        response.resume();
                        lines.resume();
                    }));
                }
            }
            return;
        }
        if (!startsWith(line, DATA)) {
            return; // comments, event names, ids: not used by the model service
        }
        int from = end > DATA.length && line.getByte(DATA.length) == ' ' ? DATA.length + 1 : DATA.length;
        Buffer value = line.slice(from, end);
        if (data == null) {
            data = value;
        } else {
            data = data.copy().appendByte((byte) '\n').appendBuffer(value);
        }
    }

    private void dispatch(Buffer event) {
        if (done.isDone() || event.length() == 0 || event.equals(DONE_EVENT)) {
            return;
        }
        CompletionEventScanner.Event parsed;
        try {
            parsed = CompletionEventScanner.scan(event.getBytes());
        } catch (Exception e) {
            fail(new DependencyUnavailableException(name, "sent an unreadable chunk: " + e.getMessage(), e));
            return;
        }
        if (parsed.errorMessage() != null) {
            fail(new DependencyUnavailableException(name, "failed mid-stream: " + parsed.errorMessage(), null));
            return;
        }
        CompletionResponse chunk = new CompletionResponse(null, CompletionResponse.OBJECT, 0, null, parsed.choices(),
                null, null, parsed.policyVersion());
        synchronized (delivery) {
            if (!closed) {
                try {
                    onChunk.accept(chunk);
                } catch (RuntimeException e) {
                    fail(e);
                }
            }
        }
    }

    /**
     * Stops delivery (waiting for a delivery in progress to return) and resets the HTTP stream if it has not ended,
     * so the model service stops decoding for us. Run when {@link #done} completes; idempotent, any thread.
     */
    void close() {
        closing = true;
        synchronized (delivery) {
            closed = true;
        }
        done.complete(null);
        HttpClientRequest inFlight = request;
        if (inFlight != null && !ended) {
            inFlight.reset();
        }
    }

    private static boolean startsWith(Buffer line, byte[] prefix) {
        if (line.length() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line.getByte(i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
