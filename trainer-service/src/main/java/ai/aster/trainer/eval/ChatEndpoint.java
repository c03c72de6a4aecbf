package ai.aster.trainer.eval;

import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.ChatCompletionResponse;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.Usage;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * An OpenAI-compatible chat endpoint: the ASTER gateway (code runs server-side, each sample is stored as a
 * {@code source=eval} trajectory through the {@code X-Aster-Source} header) or any other server of that API.
 *
 * <p>The JDK's HTTP client rather than Quarkus's REST client: the harness also runs as a plain command-line program
 * with no CDI container, and one blocking call per sample is all it needs.
 */
public final class ChatEndpoint {

    /** The request header the gateway reads to tag a trajectory's source. */
    public static final String SOURCE_HEADER = "X-Aster-Source";
    /** Added after each problem, as the Qwen3 and ASTER evaluations prompt. */
    public static final String PROMPT_SUFFIX = "\n\nPlease reason step by step, and put your final answer within \\boxed{}.";
    /** Saturation answers (429, 503) are retried this many times, waiting Retry-After (or a growing pause). */
    private static final int MAX_ATTEMPTS = 30;
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final HttpClient http;
    private final ObjectMapper json;
    private final URI base;
    private final String apiKey;
    private final Duration requestTimeout;

    public ChatEndpoint(ObjectMapper json, URI endpoint, String apiKey, Duration requestTimeout) {
        this.json = json;
        String s = endpoint.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.apiKey = apiKey;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The first model the endpoint lists; also the check that it answers at all, before any sample is sent. */
    public String firstModel() {
        HttpResponse<String> response = send(request("models").GET().timeout(Duration.ofSeconds(30)).build());
        if (response.statusCode() != 200) {
            throw new EvalException("GET " + base.resolve("models") + " answered " + response.statusCode() + ": "
                    + errorMessage(response.body()));
        }
        try {
            JsonNode data = json.readTree(response.body()).path("data");
            if (data.isArray() && !data.isEmpty() && data.get(0).hasNonNull("id")) {
                return data.get(0).get("id").asText();
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new EvalException("GET " + base.resolve("models") + " did not list a model (is " + base
                + " an OpenAI-compatible API?)");
    }

    /** Draws one sample of a problem (no grading). */
    public Reply sample(Problem problem, SamplingSettings sampling) {
        ChatCompletionRequest body = new ChatCompletionRequest(sampling.model(),
                List.of(ChatMessage.user(problem.problem() + PROMPT_SUFFIX)), sampling.maxTokens(), null,
                sampling.temperature(), sampling.topP(), null, null, null, null, false, null, null, null, null, null,
                sampling.maxToolCalls(), null, problem.answer(), problem.id(), null);
        long start = System.nanoTime();
        ChatCompletionResponse parsed = complete(body, "eval", " for problem " + problem.id());
        long durationMs = (System.nanoTime() - start) / 1_000_000;
        ChatCompletionResponse.Choice choice = parsed.choices().get(0);
        ChatMessage message = choice.message();
        Usage usage = parsed.usage();
        int toolCalls = usage != null && usage.toolCalls() != null ? usage.toolCalls()
                : message != null && message.toolTrace() != null ? message.toolTrace().size() : 0;
        return new Reply(parsed.id(), choice.finishReason() == null ? "unknown" : choice.finishReason(),
                message == null || message.content() == null ? "" : message.content(), toolCalls,
                usage == null ? 0 : usage.completionTokens(), durationMs);
    }

    /**
     * One chat completion, labelled {@code X-Aster-Source: source}; saturation answers (429, 503) are retried as
     * above. Anything but a chat completion with at least one choice throws an {@link EvalException} whose message
     * ends with {@code context}.
     */
    public ChatCompletionResponse complete(ChatCompletionRequest body, String source, String context) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = request("chat/completions").timeout(requestTimeout)
                .header("Content-Type", "application/json").header(SOURCE_HEADER, source)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        HttpResponse<String> response = sendRetryingSaturation(request);
        if (response.statusCode() != 200) {
            throw new EvalException("POST " + request.uri() + " answered " + response.statusCode() + context + ": "
                    + errorMessage(response.body()));
        }
        ChatCompletionResponse parsed;
        try {
            parsed = json.readValue(response.body(), ChatCompletionResponse.class);
        } catch (JsonProcessingException e) {
            throw new EvalException("POST " + request.uri() + " answered something that is not a chat completion: "
                    + e.getOriginalMessage());
        }
        if (parsed.choices() == null || parsed.choices().isEmpty()) {
            throw new EvalException("POST " + request.uri() + " answered a chat completion without choices");
        }
        return parsed;
    }

    /**
     * What came back for one sample.
     *
     * @param id       the response id (the gateway's trajectory id)
     * @param content  the final answer text
     */
    public record Reply(String id, String finishReason, String content, int toolCalls, int completionTokens,
            long durationMs) {}

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (apiKey != null && !apiKey.isBlank()) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private HttpResponse<String> sendRetryingSaturation(HttpRequest request) {
        Duration pause = Duration.ofSeconds(1);
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = send(request);
            int status = response.statusCode();
            if ((status != 429 && status != 503) || attempt == MAX_ATTEMPTS) {
                return response;
            }
            Duration wait = response.headers().firstValue("Retry-After").map(ChatEndpoint::seconds).orElse(pause);
            pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            try {
                Thread.sleep(wait.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EvalException("interrupted", e);
            }
        }
    }

    private static Duration seconds(String header) {
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip())));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(1);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new EvalException("the endpoint " + base + " does not answer (is the platform up? ./aster status)",
                    e);
        } catch (HttpTimeoutException e) {
            throw new EvalException(request.method() + " " + request.uri() + " took longer than "
                    + request.timeout().map(Duration::toString).orElse("the timeout"), e);
        } catch (IOException e) {
            throw new EvalException(request.method() + " " + request.uri() + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EvalException("interrupted", e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The message of an OpenAI-shaped error body, else the body itself (shortened). */
    private String errorMessage(String body) {
        try {
            JsonNode message = json.readTree(body).path("error").path("message");
            if (message.isTextual()) {
                return message.asText();
            }
        } catch (JsonProcessingException e) {
            // not JSON: show it as text
        }
        String text = body == null ? "" : body.strip();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
