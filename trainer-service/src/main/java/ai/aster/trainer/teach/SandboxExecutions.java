package ai.aster.trainer.teach;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * sandbox-service's {@code POST /v1/executions} and {@code DELETE /v1/sessions/{id}} with the internal token, as
 * the gateway calls them: the calls of one trajectory share a session (its id), so later code sees earlier
 * variables. A saturated sandbox (429) is asked again after its {@code Retry-After}.
 */
public final class SandboxExecutions {

    private static final int MAX_ATTEMPTS = 60;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json;
    private final String baseUrl;
    private final String token;

    public SandboxExecutions(ObjectMapper json, String baseUrl, String token) {
        this.json = json;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    public ExecutionResult execute(ExecutionRequest request) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        double timeout = request.timeoutS() == null ? 30 : request.timeoutS();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/executions"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    // the execution's own limit plus the container's start under load
                    .timeout(Duration.ofSeconds((long) timeout + 120))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
            if (response.statusCode() == 200) {
                try {
                    return json.readValue(response.body(), ExecutionResult.class);
                } catch (IOException e) {
                    throw new TeachingException("the sandbox answered something that is not an execution result: "
                            + e.getMessage());
                }
            }
            if ((response.statusCode() == 429 || response.statusCode() == 503) && attempt < MAX_ATTEMPTS) {
                pause(response.headers().firstValue("Retry-After").map(SandboxExecutions::seconds).orElse(1L));
                continue;
            }
            throw new TeachingException("the sandbox at " + baseUrl + " answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8).strip());
        }
    }

    /** Drops the session's state (the gateway does this at the end of each trajectory). */
    public void deleteSession(String sessionId) {
        send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/sessions/"
                        + URLEncoder.encode(sessionId, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).DELETE().build());
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new SandboxUnreachableException("cannot reach the sandbox at " + baseUrl + " (" + e + "); is the"
                    + " platform up? (./aster up)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TeachingException("interrupted", e);
        }
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(1, Long.parseLong(retryAfter.strip()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static void pause(long seconds) {
        try {
            Thread.sleep(Duration.ofSeconds(Math.min(seconds, 30)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TeachingException("interrupted", e);
        }
    }
}
