package ai.aster.trainer.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault-injecting stand-in for an OpenAI-compatible endpoint (real HTTP): it answers every chat request with the
 * reference answer in a box for problems whose id starts with "right", with a wrong one otherwise, and from a chosen
 * request on it answers 500, as a server that went down mid-run.
 */
final class ScriptedEndpoint implements AutoCloseable {

    /** One chat request as received. */
    record Received(String source, String authorization, JsonNode body) {}

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int failFrom = Integer.MAX_VALUE;
    private volatile int holdFrom = Integer.MAX_VALUE;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    ScriptedEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/models", ex -> reply(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"scripted\"}]}"));
        server.createContext("/v1/chat/completions", this::chat);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    /** Request number n (1-based) and every later one fail with 500. */
    void failFrom(int n) {
        failFrom = n;
    }

    /** Request number n and later ones wait, unanswered, until {@link #release()}. */
    void holdFrom(int n) {
        holdFrom = n;
    }

    /** Waits until a request is being held. */
    boolean awaitHeld(long seconds) throws InterruptedException {
        return held.await(seconds, TimeUnit.SECONDS);
    }

    void release() {
        release.countDown();
    }

    /** Chat requests received so far, answered or not. */
    int requestCount() {
        return requests.get();
    }

    void heal() {
        failFrom = Integer.MAX_VALUE;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    private void chat(HttpExchange ex) throws IOException {
        int n = requests.incrementAndGet();
        if (n >= failFrom) {
            reply(ex, 500, "{\"error\":{\"message\":\"scripted outage\",\"type\":\"server_error\",\"param\":null,"
                    + "\"code\":\"internal_error\"}}");
            return;
        }
        if (n >= holdFrom) {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        JsonNode body = json.readTree(ex.getRequestBody());
        received.add(new Received(ex.getRequestHeaders().getFirst("X-Aster-Source"),
                ex.getRequestHeaders().getFirst("Authorization"), body));
        String id = body.path("problem_id").asText();
        String answer = id.startsWith("right") ? body.path("reference_answer").asText() : "-1";
        String content = "So the answer is \\\\boxed{" + answer + "}.";
        reply(ex, 200, """
                {"id":"chatcmpl-%d","object":"chat.completion","created":1,"model":"scripted",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s",
                   "tool_trace":[{"index":0,"name":"code_interpreter","code":"print(1)","status":"ok","output":"1\\n","duration_ms":3}]},
                   "finish_reason":"stop"}],
                 "usage":{"prompt_tokens":20,"completion_tokens":30,"total_tokens":50,"tool_calls":1,"format_errors":0}}
                """.formatted(n, content));
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
