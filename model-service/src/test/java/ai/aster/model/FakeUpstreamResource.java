package ai.aster.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-test upstream "OpenAI-compatible" server that answers in the variant shapes real engines use, chosen by the
 * prompt: SSE or JSON lines, odd finish-reason spellings, no usage, errors before and during a stream.
 */
public class FakeUpstreamResource implements QuarkusTestResourceLifecycleManager {

    /** The last request body the upstream received, served at {@code GET /_test/last-request}. */
    private final AtomicReference<JsonNode> lastRequest = new AtomicReference<>();

    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/models", ex -> send(ex, 200, "application/json",
                "{\"object\":\"list\",\"data\":[{\"id\":\"upstream-model\",\"object\":\"model\",\"max_model_len\":8192}]}"));
        server.createContext("/v1/completions", this::completions);
        server.createContext("/v1/chat/completions", this::chat);
        // read over HTTP, not through a static field: test resources and tests may see different class loaders
        server.createContext("/_test/last-request", ex -> send(ex, 200, "application/json",
                String.valueOf(lastRequest.get())));
        server.start();
        return Map.of("aster.model.upstream.url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        server.stop(0);
    }

    private void completions(HttpExchange ex) throws IOException {
        JsonNode body = JSON.readTree(ex.getRequestBody());
        lastRequest.set(body);
        String prompt = body.path("prompt").asText();
        boolean stream = body.path("stream").asBoolean();
        switch (prompt) {
            case "busy" -> send(ex, 429, "application/json",
                    "{\"error\":{\"message\":\"too many requests\",\"type\":\"rate_limit_error\"}}");
            case "crash" -> send(ex, 500, "text/plain", "internal error");
            case "refuse" -> send(ex, 400, "application/json",
                    "{\"error\":{\"message\":\"max_tokens is too large\",\"type\":\"invalid_request_error\","
                            + "\"param\":\"max_tokens\",\"code\":null}}");
            case "sse" -> {
                // vLLM-like SSE, but "eos" as finish reason and no usage chunk
                String chunks = event(chunk("cmpl-1", "Hello", null)) + ": keep-alive comment\n\n"
                        + event(chunk("cmpl-1", " world", "eos")) + "data: [DONE]\n\n";
                send(ex, 200, "text/event-stream", chunks);
            }
            case "jsonl" -> {
                // JSON lines (no "data:"), "max_tokens" spelling, usage on its own line, no [DONE]
                String lines = chunk("cmpl-2", "one", null) + "\n" + chunk("cmpl-2", " two", "max_tokens") + "\n"
                        + "{\"id\":\"cmpl-2\",\"object\":\"text_completion\",\"created\":1,\"model\":\"upstream-model\","
                        + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n";
                send(ex, 200, "application/jsonlines", lines);
            }
            case "broken-stream" -> send(ex, 200, "text/event-stream", event(chunk("cmpl-3", "par", null))
                    + "data: {\"error\":{\"message\":\"engine died\",\"type\":\"server_error\"}}\n\n");
            default -> {
                if (stream) {
                    send(ex, 200, "text/event-stream", event(chunk("cmpl-4", "ok", "stop")) + "data: [DONE]\n\n");
                } else {
                    // non-streamed, "stop_sequence" spelling, no usage
                    send(ex, 200, "application/json", "{\"id\":\"cmpl-5\",\"object\":\"text_completion\","
                            + "\"created\":1,\"model\":\"upstream-model\",\"choices\":[{\"index\":0,"
                            + "\"text\":\"The answer is 4.\",\"finish_reason\":\"stop_sequence\"}]}");
                }
            }
        }
    }

    private void chat(HttpExchange ex) throws IOException {
        JsonNode body = JSON.readTree(ex.getRequestBody());
        lastRequest.set(body);
        send(ex, 200, "application/json", "{\"id\":\"chat-1\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"upstream-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"Four.\"},\"finish_reason\":\"end_turn\"}],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}");
    }

    private static String chunk(String id, String text, String finish) {
        return "{\"id\":\"" + id + "\",\"object\":\"text_completion\",\"created\":1,\"model\":\"upstream-model\","
                + "\"choices\":[{\"index\":0,\"text\":\"" + text + "\",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static String event(String json) {
        return "data: " + json + "\n\n";
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
