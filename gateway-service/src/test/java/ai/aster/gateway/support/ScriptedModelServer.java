package ai.aster.gateway.support;

import ai.aster.modeling.ChatTemplate;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ToolDefinition;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-test implementation of model-service's contract ({@code /v1/tokenize}, {@code /v1/completions} with token
 * ids, log-probs, stop strings and SSE, {@code /v1/models}) whose "model" follows a script: the last user message
 * names one ({@code [[script:NAME]]}), and the script writes each turn from what the model has seen so far (tool
 * results included). Prompts render through modeling's real Qwen3 chat template; tokens come from
 * {@link TestTokenizer}. Every completion request is recorded so tests can check what the model conditioned on.
 */
public final class ScriptedModelServer implements AutoCloseable {

    public static final long POLICY_VERSION = 7;
    /** The internal token the gateway's test profile sends ({@code %test.aster.internal-token}). */
    public static final String INTERNAL_TOKEN = "test-internal-token";
    public static final int MAX_MODEL_LEN = 40_000;
    private static final Pattern SCRIPT = Pattern.compile("\\[\\[script:([a-zA-Z0-9_-]+)]]");
    private static final Pattern HERMES_RESULT = Pattern.compile("<tool_response>\n(.*?)\n</tool_response>",
            Pattern.DOTALL);
    private static final Pattern MARKDOWN_RESULT = Pattern.compile("```output\n(.*?)```\n", Pattern.DOTALL);

    /** What a script sees when asked for a turn. */
    public record Turn(int index, List<String> toolResults, Long seed, String prompt) {
        public String lastResult() {
            return toolResults.isEmpty() ? null : toolResults.get(toolResults.size() - 1);
        }
    }

    /** One completion request, as received. */
    public record Call(String script, List<Integer> promptIds, List<Integer> completionIds, String completionText,
            String traceparent) {}

    /** Thrown by a script to answer with an HTTP error instead of text. */
    public static final class Failure extends RuntimeException {
        final int status;

        public Failure(int status) {
            super("scripted failure " + status, null, false, false);
            this.status = status;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx = Vertx.vertx();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer server;
    private final ChatTemplate template = ChatTemplate.builtIn();
    private final Map<String, Function<Turn, String>> scripts = new ConcurrentHashMap<>();
    private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    private volatile int downStatus;
    private volatile boolean dropStopStrings;
    private volatile boolean omitLogprobs;

    public ScriptedModelServer() throws IOException {
        try {
            server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setAcceptBacklog(1024))
                    .requestHandler(this::route).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("cannot start the scripted model", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** One exchange: the request body, and the reply written back on the request's event loop. */
    private static final class HttpExchange implements AutoCloseable {
        final HttpServerRequest request;
        final Context context;
        final byte[] body;

        HttpExchange(HttpServerRequest request, Context context, byte[] body) {
            this.request = request;
            this.context = context;
            this.body = body;
        }

        java.io.InputStream getRequestBody() {
            return new java.io.ByteArrayInputStream(body);
        }

        void reply(int status, String contentType, String body) {
            context.runOnContext(v -> request.response().setStatusCode(status).putHeader("Content-Type", contentType)
                    .end(body));
        }

        void stream(List<String> events) {
            context.runOnContext(v -> {
                var response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                events.forEach(response::write);
                response.end();
            });
        }

        @Override
        public void close() {}
    }

    private void route(HttpServerRequest request) {
        Context context = vertx.getOrCreateContext();
        // like the real model service: no internal token, no service (a gateway that forgets it fails its tests)
        if (!("Bearer " + INTERNAL_TOKEN).equals(request.getHeader("Authorization"))) {
            request.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                    .end("{\"error\":{\"message\":\"missing or wrong internal token\",\"type\":"
                            + "\"authentication_error\",\"param\":null,\"code\":\"invalid_internal_token\"}}");
            return;
        }
        request.body().onSuccess(body -> workers.execute(() -> {
            HttpExchange exchange = new HttpExchange(request, context, body.getBytes());
            try {
                switch (request.path()) {
                    case "/v1/tokenize" -> tokenize(exchange);
                    case "/v1/completions" -> completions(exchange);
                    case "/v1/models" -> models(exchange);
                    default -> send(exchange, 404, "{\"error\":{\"message\":\"no route\",\"type\":\"invalid_request_error\","
                            + "\"param\":null,\"code\":null}}");
                }
            } catch (Exception e) {
                send(exchange, 500, "{\"error\":{\"message\":\"" + e + "\",\"type\":\"server_error\",\"param\":null,"
                        + "\"code\":null}}");
            }
        }));
    }

    public void script(String name, Function<Turn, String> script) {
        scripts.put(name, script);
    }

    /** Behave like an engine that cuts the stop string from its output (text and token ids), whatever is asked. */
    public void dropStopStrings(boolean drop) {
        this.dropStopStrings = drop;
    }

    /** Behave like an engine that reports no log-probs at all (no {@code logprobs} in its chunks). */
    public void omitLogprobs(boolean omit) {
        this.omitLogprobs = omit;
    }

    /** Every endpoint answers this status (0 = normal service). */
    public void down(int status) {
        this.downStatus = status;
    }

    public List<Call> calls(String script) {
        return calls.stream().filter(c -> script.equals(c.script())).toList();
    }

    @Override
    public void close() {
        server.close();
        workers.shutdownNow();
        vertx.close();
    }

    // ---- endpoints

    private void tokenize(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (refuse(exchange)) {
                return;
            }
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String text;
            if (body.hasNonNull("messages")) {
                List<ChatMessage> messages = JSON.convertValue(body.get("messages"),
                        JSON.getTypeFactory().constructCollectionType(List.class, ChatMessage.class));
                List<ToolDefinition> tools = body.hasNonNull("tools") ? JSON.convertValue(body.get("tools"),
                        JSON.getTypeFactory().constructCollectionType(List.class, ToolDefinition.class)) : null;
                text = template.render(messages, tools, body.path("add_generation_prompt").asBoolean(true));
            } else {
                text = body.path("prompt").asText("");
            }
            List<Integer> ids = TestTokenizer.encode(text);
            ObjectNode out = JSON.createObjectNode().put("count", ids.size()).put("max_model_len", MAX_MODEL_LEN);
            ids.forEach(out.putArray("tokens")::add);
            out.put("prompt", text);
            send(exchange, 200, out.toString());
        }
    }

    private void models(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (refuse(exchange)) {
                return;
            }
            send(exchange, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"scripted\",\"object\":\"model\",\"created\":1,"
                    + "\"owned_by\":\"test\",\"max_model_len\":" + MAX_MODEL_LEN + ",\"policy_version\":"
                    + POLICY_VERSION + ",\"device\":\"cpu\"}]}");
        }
    }

    private void completions(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (refuse(exchange)) {
                return;
            }
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            List<Integer> promptIds = new ArrayList<>();
            body.path("prompt").forEach(id -> promptIds.add(id.asInt()));
            String prompt = TestTokenizer.decode(promptIds);
            Matcher m = SCRIPT.matcher(prompt);
            String name = null;
            while (m.find()) {
                name = m.group(1);
            }
            Function<Turn, String> script = name == null ? null : scripts.get(name);
            if (script == null) {
                send(exchange, 404, "{\"error\":{\"message\":\"no script " + name + "\",\"type\":\"invalid_request_error\","
                        + "\"param\":null,\"code\":\"model_not_found\"}}");
                return;
            }
            int marker = prompt.lastIndexOf("[[script:");
            String sinceQuestion = prompt.substring(marker);
            List<String> results = new ArrayList<>();
            Matcher r = HERMES_RESULT.matcher(sinceQuestion);
            while (r.find()) {
                results.add(r.group(1));
            }
            Matcher md = MARKDOWN_RESULT.matcher(sinceQuestion);
            while (md.find()) {
                results.add(md.group(1));
            }
            Long seed = body.hasNonNull("seed") ? body.get("seed").asLong() : null;
            String text;
            try {
                text = script.apply(new Turn(results.size(), results, seed, prompt));
            } catch (Failure f) {
                send(exchange, f.status, "{\"error\":{\"message\":\"scripted failure\",\"type\":\"server_error\","
                        + "\"param\":null,\"code\":null}}");
                return;
            }
            // stop strings, kept in the output; otherwise the end-of-turn token ends it
            String finish = "stop";
            String stopReason = null;
            int cut = -1;
            for (JsonNode s : body.path("stop")) {
                int at = text.indexOf(s.asText());
                if (at >= 0 && (cut < 0 || at + s.asText().length() < cut)) {
                    cut = at + s.asText().length();
                    stopReason = s.asText();
                }
            }
            List<Integer> ids;
            if (cut >= 0) {
                text = text.substring(0, dropStopStrings ? cut - stopReason.length() : cut);
                ids = new ArrayList<>(TestTokenizer.encode(text));
            } else {
                ids = new ArrayList<>(TestTokenizer.encode(text));
                ids.add(TestTokenizer.IM_END);
            }
            int maxTokens = body.path("max_tokens").asInt(Integer.MAX_VALUE);
            if (ids.size() > maxTokens) {
                ids = new ArrayList<>(ids.subList(0, maxTokens));
                finish = "length";
                stopReason = null;
            }
            calls.add(new Call(name, List.copyOf(promptIds), List.copyOf(ids), text,
                    exchange.request.getHeader("traceparent")));
            if (body.path("stream").asBoolean(false)) {
                stream(exchange, ids, finish, stopReason, promptIds.size());
            } else {
                send(exchange, 200, whole(ids, finish, stopReason, promptIds.size()).toString());
            }
        }
    }

    private void stream(HttpExchange exchange, List<Integer> ids, String finish, String stopReason, int promptTokens) {
        List<String> events = new ArrayList<>();
        int step = 3; // tokens per chunk
        for (int i = 0; i < ids.size(); i += step) {
            List<Integer> part = ids.subList(i, Math.min(ids.size(), i + step));
            events.add("data: " + chunk(part, i, null, null) + "\n\n");
        }
        events.add("data: " + chunk(List.of(), ids.size(), finish, stopReason) + "\n\n");
        ObjectNode usage = JSON.createObjectNode().put("id", "cmpl-test").put("object", "text_completion")
                .put("created", 1).put("model", "scripted").put("policy_version", POLICY_VERSION);
        usage.putArray("choices");
        usage.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", ids.size())
                .put("total_tokens", promptTokens + ids.size());
        events.add("data: " + usage + "\n\ndata: [DONE]\n\n");
        exchange.stream(events);
    }

    private ObjectNode whole(List<Integer> ids, String finish, String stopReason, int promptTokens) {
        ObjectNode out = chunk(ids, 0, finish, stopReason);
        out.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", ids.size())
                .put("total_tokens", promptTokens + ids.size());
        return out;
    }

    private ObjectNode chunk(List<Integer> ids, int offset, String finish, String stopReason) {
        ObjectNode chunk = JSON.createObjectNode().put("id", "cmpl-test").put("object", "text_completion")
                .put("created", 1).put("model", "scripted").put("policy_version", POLICY_VERSION);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        // the end-of-turn token is in the ids but not in the text, like a real engine
        choice.put("text", TestTokenizer.decode(ids.stream().filter(id -> id != TestTokenizer.IM_END).toList()));
        if (!omitLogprobs) {
            ObjectNode logprobs = choice.putObject("logprobs");
            ArrayNode tokens = logprobs.putArray("tokens");
            ArrayNode lps = logprobs.putArray("token_logprobs");
            for (int i = 0; i < ids.size(); i++) {
                tokens.add(TestTokenizer.decode(ids.get(i)));
                lps.add(logprob(offset + i));
            }
        }
        choice.put("finish_reason", finish);
        if (stopReason != null) {
            choice.put("stop_reason", stopReason);
        } else {
            choice.putNull("stop_reason");
        }
        ids.forEach(choice.putArray("token_ids")::add);
        return chunk;
    }

    /** A deterministic log-prob per position, so tests can check they are carried through. */
    public static double logprob(int position) {
        return -0.001 * ((position % 97) + 1);
    }

    private boolean refuse(HttpExchange exchange) throws IOException {
        int status = downStatus;
        if (status == 0) {
            return false;
        }
        send(exchange, status, "{\"error\":{\"message\":\"model service unavailable\",\"type\":\"service_unavailable\","
                + "\"param\":null,\"code\":null}}");
        return true;
    }

    private static void send(HttpExchange exchange, int status, String body) {
        exchange.reply(status, "application/json", body);
    }
}
