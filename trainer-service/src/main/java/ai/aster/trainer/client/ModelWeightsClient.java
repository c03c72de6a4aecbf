package ai.aster.trainer.client;

import ai.aster.protocol.auth.InternalToken;
import ai.aster.protocol.openai.WeightsRequest;
import ai.aster.protocol.openai.WeightsResponse;
import ai.aster.trainer.config.TrainerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * model-service's {@code POST /v1/weights}: asks it to hot-reload a checkpoint folder (under its checkpoint root,
 * which is this trainer's) and returns the new {@code policy_version}. The call answers after the swap, which waits
 * for running requests to drain, so its timeout is generous.
 */
@ApplicationScoped
public class ModelWeightsClient {

    private final URI endpoint;
    private final String token;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Inject
    public ModelWeightsClient(TrainerConfig config, ObjectMapper json) {
        this(config.trainer().modelEndpoint(), config.internalToken().map(String::strip).orElse(""), json);
    }

    /** For programs outside the service (./aster replicate): the model service's base URL and internal token. */
    public ModelWeightsClient(String modelEndpoint, String token, ObjectMapper json) {
        this.endpoint = URI.create(modelEndpoint.replaceAll("/+$", "") + "/v1/weights");
        this.token = token;
        this.json = json;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** @throws WeightSyncException with the model service's own error message when it refuses or cannot be reached */
    public WeightsResponse load(Path checkpoint) {
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(10))
                    .header("Content-Type", "application/json")
                    .header("Authorization", InternalToken.bearer(token))
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                            new WeightsRequest(checkpoint.toAbsolutePath().normalize().toString()))))
                    .build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new WeightSyncException("weight sync failed: model-service at " + endpoint + " cannot be reached ("
                    + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeightSyncException("weight sync interrupted");
        }
        if (response.statusCode() != 200) {
            throw new WeightSyncException("weight sync failed: model-service at " + endpoint + " answered "
                    + response.statusCode() + ": " + errorMessage(response.body()));
        }
        try {
            return json.readValue(response.body(), WeightsResponse.class);
        } catch (IOException e) {
            throw new WeightSyncException("weight sync failed: model-service's answer is not a weights response: "
                    + response.body());
        }
    }

    private String errorMessage(String body) {
        try {
            JsonNode message = json.readTree(body).path("error").path("message");
            return message.isTextual() ? message.asText() : body;
        } catch (IOException e) {
            return body;
        }
    }

    /** The model service did not load a checkpoint: the job fails with this message. */
    public static final class WeightSyncException extends RuntimeException {
        public WeightSyncException(String message) {
            super(message);
        }
    }
}
