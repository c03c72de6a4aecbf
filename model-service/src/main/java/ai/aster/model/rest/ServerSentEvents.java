package ai.aster.model.rest;

import ai.aster.model.service.ApiException;
import ai.aster.model.service.EventStream;
import ai.aster.protocol.openai.ApiError;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Writes an {@link EventStream} as Server-Sent Events the way OpenAI does: {@code data: {json}} per chunk, then
 * {@code data: [DONE]}; a failure mid-stream is one {@code data: {"error": {...}}} event, then the stream closes.
 * A client that goes away cancels the stream (its engine slot is freed at the next step).
 */
final class ServerSentEvents {

    private static final Logger LOG = Logger.getLogger(ServerSentEvents.class);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private ServerSentEvents() {
    }

    static <T> Response of(EventStream<T> stream, ObjectMapper json, HttpServerResponse connection) {
        // the framework's output stream owns the connection's close handler, so the writer polls closed()
        BooleanSupplier clientGone = connection == null ? () -> false : connection::closed;
        StreamingOutput body = out -> write(stream, json, out, clientGone);
        return Response.ok(body, MediaType.SERVER_SENT_EVENTS_TYPE)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    private static <T> void write(EventStream<T> stream, ObjectMapper json, OutputStream out,
            BooleanSupplier clientGone) throws IOException {
        try {
            T event;
            while ((event = stream.next(clientGone)) != null) {
                send(out, json.writeValueAsBytes(event));
            }
            if (clientGone.getAsBoolean()) {
                LOG.debug("client went away mid-stream");
                return;
            }
            out.write(DONE);
            out.flush();
        } catch (ApiException e) {
            send(out, json.writeValueAsBytes(e.error()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.cancel();
        } catch (IOException e) {
            LOG.debugf("client went away mid-stream: %s", e.getMessage());
            stream.cancel();
            throw e;
        } catch (RuntimeException e) {
            LOG.error("stream failed", e);
            stream.cancel();
            send(out, json.writeValueAsBytes(ApiError.internal("the stream failed: " + e.getMessage())));
        }
    }

    private static void send(OutputStream out, byte[] data) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.UTF_8));
        out.write(data);
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
