package ai.aster.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.config.GatewayConfig;
import ai.aster.gateway.service.DeadlineExceededException;
import ai.aster.gateway.service.OutputGate;
import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token stream against a real HTTP upstream: back-pressure pauses the read, after a deadline or a cancel no
 * chunk reaches (or is still inside) the loop's callback, and a stream asked for on an event loop is read there.
 */
class ModelServiceClientStreamTest {

    private static final String TOKEN = "stream-test-token";
    private static final String PAD = "x".repeat(1000);

    private Vertx vertx;
    private Vertx upstream; // its own event loops, as a separate process would have
    private HttpServer server;
    private ModelServiceClient client;
    private LoopHttpClients clients;
    /** Events the upstream sends per request (Integer.MAX_VALUE: until the client goes away). */
    private volatile int events;
    /** Completed the next time the upstream finds its write queue full (replaced by the test to look again). */
    private volatile CompletableFuture<Integer> upstreamBlocked = new CompletableFuture<>();
    private final CompletableFuture<Void> upstreamFinished = new CompletableFuture<>();
    private final CompletableFuture<Void> upstreamClosed = new CompletableFuture<>();
    private final AtomicInteger unauthorized = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = Vertx.vertx();
        server = upstream.createHttpServer().requestHandler(request -> {
            if (!("Bearer " + TOKEN).equals(request.getHeader("Authorization"))) {
                unauthorized.incrementAndGet();
                request.response().setStatusCode(401).end();
                return;
            }
            request.body().onSuccess(b -> {
                HttpServerResponse response = request.response().setChunked(true)
                        .putHeader("Content-Type", "text/event-stream");
                response.closeHandler(v -> upstreamClosed.complete(null));
                pump(response, new int[] {0});
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        clients = new LoopHttpClients(vertx, config(null));
        client = new ModelServiceClient(null, config("http://127.0.0.1:" + server.actualPort()), new ObjectMapper(),
                vertx, clients, OpenTelemetry.noop(),
                new InternalAuth(config(null)));
    }

    /** Writes events while the connection takes them; waits for a drain when it does not (TCP back-pressure). */
    private void pump(HttpServerResponse response, int[] next) {
        while (next[0] < events) {
            if (response.closed()) {
                return;
            }
            if (response.writeQueueFull()) {
                upstreamBlocked.complete(next[0]);
                response.drainHandler(v -> pump(response, next));
                return;
            }
            int i = next[0]++;
            response.write("data: {\"choices\":[{\"index\":0,\"text\":\"" + i + PAD + "\",\"token_ids\":[" + i
                    + "],\"logprobs\":{\"token_logprobs\":[-0.5]},\"finish_reason\":null}],\"policy_version\":3}\n\n");
            if (i % 64 == 63) { // let the event loop breathe (and see the client's reset)
                upstream.runOnContext(v -> pump(response, next));
                return;
            }
        }
        if (!response.closed()) {
            response.end("data: [DONE]\n\n");
            upstreamFinished.complete(null);
        }
    }

    @AfterEach
    void stop() {
        clients.close();
        vertx.close();
        upstream.close();
    }

    @Test
    void aSaturatedClientPausesTheUpstreamReadAndItsDrainResumesIt() throws Exception {
        events = 20_000; // 20 MB: more than any socket buffers between the two
        TestGate gate = new TestGate(5);
        CompletableFuture<Void> saturated = new CompletableFuture<>();
        AtomicInteger delivered = new AtomicInteger();
        AtomicBoolean inOrder = new AtomicBoolean(true);
        CompletableFuture<Void> finished = onLoop(() -> client.complete(request(), chunk -> {
            int id = chunk.choices().get(0).tokenIds().get(0);
            if (id != delivered.getAndIncrement()) {
                inOrder.set(false);
            }
            gate.count();
            if (gate.saturated()) {
                upstreamBlocked = new CompletableFuture<>(); // from now on, a block is the pause's doing
                saturated.complete(null);
            }
        }, gate, System.nanoTime() + Duration.ofMinutes(5).toNanos()));
        CompletableFuture.anyOf(saturated, finished).get(120, TimeUnit.SECONDS);
        // with the read paused the upstream must block on TCP; without it the stream would run to its end
        CompletableFuture.anyOf(upstreamBlocked, finished).get(120, TimeUnit.SECONDS);
        assertFalse(finished.isDone(), "the stream was read to its end although the client was saturated");
        assertTrue(upstreamBlocked.isDone());
        assertEquals(5, delivered.get(), "chunks delivered after the gate saturated");

        gate.drain();
        finished.get(120, TimeUnit.SECONDS);
        assertEquals(20_000, delivered.get());
        assertTrue(inOrder.get());
        assertEquals(0, unauthorized.get());
    }

    @Test
    void aStreamAskedForOnAnEventLoopIsReadOnThatLoop() throws Exception {
        events = 50;
        // two request loops, each asking for streams the way a trajectory does, twice (the second time on a pooled
        // connection): every chunk must reach the consumer on the loop that asked, the one its client's SSE is on
        io.vertx.core.Context other; // a context made on another thread: the next event loop
        try (ExecutorService thread = Executors.newSingleThreadExecutor()) {
            other = thread.submit(vertx::getOrCreateContext).get(10, TimeUnit.SECONDS);
        }
        List<io.vertx.core.Context> loops = List.of(vertx.getOrCreateContext(), other);
        for (int round = 0; round < 2; round++) {
            for (io.vertx.core.Context loop : loops) {
                CompletableFuture<Thread> loopThread = new CompletableFuture<>();
                Set<Thread> chunkThreads = ConcurrentHashMap.newKeySet();
                CompletableFuture<CompletableFuture<Void>> asked = new CompletableFuture<>();
                loop.runOnContext(v -> {
                    loopThread.complete(Thread.currentThread());
                    asked.complete(client.complete(request(), chunk -> chunkThreads.add(Thread.currentThread()),
                            OutputGate.OPEN, System.nanoTime() + Duration.ofMinutes(1).toNanos()));
                });
                asked.get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
                assertEquals(Set.of(loopThread.get()), chunkThreads);
            }
        }
    }

    @Test
    void afterTheDeadlineNoChunkIsDeliveredNorStillBeingDelivered() throws Exception {
        // warm up (connection pool, JIT, Jackson), so the stream surely runs when the deadline comes
        events = 10;
        onLoop(() -> client.complete(request(), chunk -> {}, OutputGate.OPEN,
                System.nanoTime() + Duration.ofMinutes(2).toNanos())).get(60, TimeUnit.SECONDS);
        events = Integer.MAX_VALUE;
        RaceProbe probe = new RaceProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        CompletableFuture<Void> stream = onLoop(() -> client.complete(request(), probe::onChunk, OutputGate.OPEN,
                deadline));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> stream.get(60, TimeUnit.SECONDS));
        probe.returned();
        assertInstanceOf(DeadlineExceededException.class, failed.getCause());
        assertTrue(probe.firstChunk.getCount() == 0, "the deadline passed before the stream started");
        upstreamClosed.get(60, TimeUnit.SECONDS); // the stream was reset: the model service stops decoding
        probe.assertClean();
    }

    @Test
    void afterACancelNoChunkIsDeliveredNorStillBeingDelivered() throws Exception {
        events = Integer.MAX_VALUE;
        RaceProbe probe = new RaceProbe();
        CompletableFuture<Void> stream = onLoop(() -> client.complete(request(), probe::onChunk, OutputGate.OPEN,
                System.nanoTime() + Duration.ofMinutes(5).toNanos()));
        probe.firstChunk.await(60, TimeUnit.SECONDS);
        stream.cancel(true); // from this thread, not the loop's: the harder case
        probe.returned();
        assertTrue(stream.isCancelled());
        upstreamClosed.get(60, TimeUnit.SECONDS);
        probe.assertClean();
    }

    /** The stream {@code ask} returns, asked for on an event loop as a trajectory asks (waits until it is asked). */
    private CompletableFuture<Void> onLoop(java.util.function.Supplier<CompletableFuture<Void>> ask) throws Exception {
        CompletableFuture<CompletableFuture<Void>> asked = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(v -> asked.complete(ask.get()));
        return asked.get(10, TimeUnit.SECONDS);
    }

    /** Records whether a callback was running when the stream ended (for its caller), or ran after it. */
    private static final class RaceProbe {
        final CountDownLatch firstChunk = new CountDownLatch(1);
        final AtomicInteger inside = new AtomicInteger();
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicInteger insideAtReturn = new AtomicInteger(-1);
        final AtomicInteger afterReturn = new AtomicInteger();

        void onChunk(CompletionResponse chunk) {
            inside.incrementAndGet();
            try {
                if (done.get()) {
                    afterReturn.incrementAndGet();
                }
                firstChunk.countDown();
                // a slow consumer (a loaded machine): the event loop is inside this callback most of the time
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inside.decrementAndGet();
            }
        }

        void returned() {
            insideAtReturn.set(inside.get());
            done.set(true);
        }

        void assertClean() {
            assertEquals(0, insideAtReturn.get(), "a chunk was still being delivered when the stream ended");
            assertEquals(0, afterReturn.get(), "chunks were delivered after the stream ended");
        }
    }

    /** Saturated after {@code limit} chunks, until drained. */
    private static final class TestGate implements OutputGate {
        private final int limit;
        private final AtomicInteger seen = new AtomicInteger();
        private volatile boolean drained;
        private final List<Runnable> waiting = new java.util.concurrent.CopyOnWriteArrayList<>();

        TestGate(int limit) {
            this.limit = limit;
        }

        void count() {
            seen.incrementAndGet();
        }

        void drain() {
            drained = true;
            waiting.forEach(Runnable::run);
        }

        @Override
        public boolean saturated() {
            return !drained && seen.get() >= limit;
        }

        @Override
        public void onDrained(Runnable resume) {
            if (saturated()) {
                waiting.add(resume);
            } else {
                resume.run();
            }
        }
    }

    private static CompletionRequest request() {
        return new CompletionRequest("m", com.fasterxml.jackson.databind.node.TextNode.valueOf("p"), 16, null, null, null, null, 1, null, null, 0, true, null, true, null,
                true);
    }

    /** The few config values the token stream reads; {@code url} null for the auth-only view. */
    private static GatewayConfig config(String url) {
        return (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(),
                new Class<?>[] {GatewayConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "modelServiceUrl" -> url == null ? "http://127.0.0.1:1" : url;
                    case "modelServiceConnections" -> 16;
                    case "modelIdleTimeout" -> Duration.ofSeconds(120);
                    case "internalToken" -> Optional.of(TOKEN);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
