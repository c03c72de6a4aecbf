package ai.aster.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client that does not read saturates the writer (bounded memory); reading drains it, and nothing is lost. */
class SseWriterTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close();
    }

    @Test
    void aSlowClientSaturatesTheWriterAndItsReadingDrainsIt() throws Exception {
        CompletableFuture<SseWriter> writer = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer().requestHandler(request -> writer.complete(
                new SseWriter(request.response(), vertx.getOrCreateContext(), () -> "data: head\n\n", () -> {})))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try (Socket client = new Socket("127.0.0.1", server.actualPort())) {
            client.setReceiveBufferSize(16 * 1024);
            OutputStream out = client.getOutputStream();
            out.write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SseWriter sse = writer.get(30, TimeUnit.SECONDS);

            // the client reads nothing: the writer must become saturated, and stay so, long before 256 MB are queued.
            // A saturation can be brief (the event loop hands a burst to the socket and the kernel's buffers take it:
            // then it rightly drains); keep sending until it holds, i.e. until the socket itself is full.
            String pad = "y".repeat(1000);
            int sent = 0;
            CountDownLatch drained = null;
            while (drained == null && sent < 256_000) {
                if (!sse.saturated()) {
                    sse.send("data: " + sent++ + " " + pad + "\n\n");
                    continue;
                }
                CountDownLatch latch = new CountDownLatch(1);
                sse.onDrained(latch::countDown);
                if (!latch.await(1, TimeUnit.SECONDS)) {
                    drained = latch;
                }
            }
            assertNotNull(drained, "never stayed saturated although the client read nothing (" + sent + " events)");
            sse.end("data: [DONE]\n\n");

            // now the client reads everything: every event arrives, in order, and the writer drains
            BufferedReader reader = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8));
            int next = 0;
            boolean head = false;
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.equals("data: head")) {
                    head = true;
                } else if (line.equals("data: [DONE]")) {
                    break;
                } else if (line.startsWith("data: ")) {
                    assertEquals(next++ + " " + pad, line.substring(6));
                }
            }
            assertTrue(head);
            assertEquals(sent, next);
            assertTrue(drained.await(60, TimeUnit.SECONDS));
        }
    }

    /**
     * A response whose events all come at the end (tool calling on, the answer held to the turn's end) goes out as
     * one write: head, events and tail in one chunk, then the terminating chunk. Each write is a flush, a system call
     * and a wake-up of the client; three of them were a third of the gateway's time after a trajectory ended.
     */
    @Test
    void eventsQueuedBeforeTheEndGoOutWithTheHeadAndTheTailAsOneWrite() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            SseWriter sse = new SseWriter(request.response(), vertx.getOrCreateContext(), () -> "data: head\n\n",
                    () -> {});
            sse.send("data: a\n\n");
            sse.send("data: b\n\n");
            sse.end("data: [DONE]\n\n");
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try (Socket client = new Socket("127.0.0.1", server.actualPort())) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write("GET /s HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            java.io.DataInputStream in = new java.io.DataInputStream(client.getInputStream());
            String line;
            while (!(line = asciiLine(in)).isEmpty()) {
                // status line and headers
            }
            java.util.List<String> chunks = new java.util.ArrayList<>();
            int size;
            while ((size = Integer.parseInt(asciiLine(in), 16)) > 0) {
                byte[] chunk = new byte[size];
                in.readFully(chunk);
                chunks.add(new String(chunk, StandardCharsets.UTF_8));
                asciiLine(in); // the CRLF after the chunk
            }
            assertEquals(java.util.List.of("data: head\n\ndata: a\n\ndata: b\n\ndata: [DONE]\n\n"), chunks);
        }
    }

    private static String asciiLine(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new java.io.EOFException("the response ended mid-line: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
