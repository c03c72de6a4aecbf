package ai.aster.model.client;

import ai.aster.model.config.ModelServiceConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.microprofile.faulttolerance.Retry;

/**
 * Calls an upstream OpenAI-compatible server (vLLM, SGLang, DJL Serving). Built on the JDK HTTP client rather than
 * a REST-client interface because streams come back as SSE or as JSON lines and are read line by line.
 * Failures become {@link UpstreamException}s carrying the upstream status (0 when it could not be reached).
 */
@ApplicationScoped
public class UpstreamClient {

    private final ObjectMapper json;
    private final HttpClient http;
    private final URI base;
    private final String apiKey;
    private final Duration timeout;

    /** The upstream answered with an error status, or could not be reached ({@code status} 0). */
    public static class UpstreamException extends RuntimeException {
        private final int status;
        private final String body;

        UpstreamException(int status, String message, String body) {
            super(message);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        /** The upstream's error body, if it sent one. */
        public String body() {
            return body;
        }
    }

    /** An open response body read line by line; close it to drop the connection. */
    public static final class Lines implements AutoCloseable {
        private final BufferedReader reader;

        Lines(InputStream in) {
            this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        }

        /** The next line, or null at the end of the body. */
        public String next() throws IOException {
            return reader.readLine();
        }

        @Override
        public void close() {
            try {
                reader.close();
            } catch (IOException ignored) {
                // the connection is gone either way
            }
        }
    }

    public UpstreamClient(ModelServiceConfig config, ObjectMapper json) {
        this.json = json;
        String url = config.upstream().url().orElseThrow(() -> new IllegalStateException(
                "aster.model.upstream.url must be set for backend openai"));
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.apiKey = config.upstream().apiKey().orElse(null);
        this.timeout = config.upstream().timeout();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** {@code GET /v1/models}; retried, it is idempotent. */
    @Retry(maxRetries = 2, delay = 200, retryOn = UpstreamUnreachable.class)
    public JsonNode models() {
        HttpRequest request = builder("v1/models").GET().build();
        return parse(sendForString(request));
    }

    /** A POST whose whole answer is read as text (JSON, or JSON lines from servers that stream regardless). */
    public String post(String path, JsonNode body) {
        return sendForString(builder(path).POST(bodyOf(body)).build());
    }

    /** A POST whose answer is streamed; the caller reads it line by line. */
    public Lines postStreaming(String path, JsonNode body) {
        HttpRequest request = builder(path).header("Accept", "text/event-stream").POST(bodyOf(body)).build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(0, "interrupted while calling the upstream", null);
        }
        if (response.statusCode() >= 400) {
            String text;
            try (InputStream in = response.body()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                text = null;
            }
            throw new UpstreamException(response.statusCode(), "the upstream answered " + response.statusCode(), text);
        }
        return new Lines(response.body());
    }

    public JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new UpstreamException(502, "the upstream answered something that is not JSON: " + e.getMessage(),
                    null);
        }
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private HttpRequest.BodyPublisher bodyOf(JsonNode body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private String sendForString(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(0, "interrupted while calling the upstream", null);
        }
        if (response.statusCode() >= 400) {
            throw new UpstreamException(response.statusCode(), "the upstream answered " + response.statusCode(),
                    response.body());
        }
        return response.body();
    }

    private UpstreamException unreachable(IOException e) {
        String what = e instanceof HttpTimeoutException ? "timed out" : e instanceof ConnectException
                ? "refused the connection" : "failed: " + e;
        return new UpstreamUnreachable("the upstream at " + base + " " + what);
    }

    /** The upstream could not be reached at all (retryable for idempotent calls). */
    public static final class UpstreamUnreachable extends UpstreamException {
        UpstreamUnreachable(String message) {
            super(0, message, null);
        }
    }
}
