package ai.aster.trainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The trainer's API as the command-line programs call it (JDK HTTP client, the internal token as Bearer). */
public final class TrainerApi {

    /** A failed call, already worded for the user; {@code status} is the HTTP status (0: no answer). */
    public static final class ApiException extends RuntimeException {
        public final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final URI base;
    private final String token;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public TrainerApi(URI base, String token, ObjectMapper json) {
        this.base = base;
        this.token = token;
        this.json = json;
    }

    public URI base() {
        return base;
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public JsonNode post(String path, JsonNode body) {
        try {
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))));
        } catch (IOException e) {
            throw new ApiException(0, "cannot encode the request: " + e.getMessage());
        }
    }

    public JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new ApiException(0, "the trainer is not running at " + base + " (start the platform with ./aster up)");
        } catch (IOException e) {
            throw new ApiException(0, "the trainer at " + base + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted");
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (response.statusCode() / 100 != 2) {
            String message = body != null && body.path("error").path("message").isTextual()
                    ? body.path("error").path("message").asText() : "HTTP " + response.statusCode();
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                message += " (the token comes from ASTER_INTERNAL_TOKEN, else .aster/internal-token)";
            }
            throw new ApiException(response.statusCode(), message);
        }
        return body;
    }
}
