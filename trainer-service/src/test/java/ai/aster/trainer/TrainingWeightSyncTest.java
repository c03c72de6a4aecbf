package ai.aster.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.aster.trainer.support.LocalKafkaResource;
import ai.aster.trainer.support.ModelServiceResource;
import ai.aster.trainer.support.TrainingData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SFT with {@code sync_weights: true} against the real model-service (packaged jar, checkpoint root = the
 * trainer's): each checkpoint is hot-reloaded, the job and model-service agree on the new policy version, and a
 * completion streaming while the trainer's reload swaps the weights under it finishes without an error.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@WithTestResource(ModelServiceResource.class)
class TrainingWeightSyncTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ModelServiceResource.ModelServiceUrl
    String modelService;

    private JsonNode models() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(modelService + "/v1/models"))
                .header("Authorization", "Bearer " + ModelServiceResource.INTERNAL_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("data").path(0);
    }

    @Test
    void theModelServiceServesEachCheckpointAndARequestInFlightFinishes() throws Exception {
        long before = models().path("policy_version").asLong();

        // a long completion, streaming before the job starts: the reloads swap the weights under it
        HttpClient http = HttpClient.newHttpClient();
        CountDownLatch firstToken = new CountDownLatch(1);
        List<String> errors = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        String[] finish = new String[1];
        int[] tokens = new int[1];
        HttpRequest request = HttpRequest.newBuilder(URI.create(modelService + "/v1/completions"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + ModelServiceResource.INTERNAL_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"in flight\", \"max_tokens\": 3500, "
                        + "\"temperature\": 0, \"ignore_eos\": true, \"stream\": true, \"return_token_ids\": true}"))
                .build();
        CompletableFuture<Void> stream = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAcceptAsync(response -> response.body().forEach(line -> {
                    if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                        return;
                    }
                    try {
                        JsonNode chunk = JSON.readTree(line.substring(6));
                        if (chunk.has("error")) {
                            errors.add(line);
                            return;
                        }
                        JsonNode choice = chunk.path("choices").path(0);
                        if (choice.path("token_ids").size() > 0) {
                            tokens[0] += choice.path("token_ids").size();
                            versions.add(chunk.path("policy_version").asLong());
                            firstToken.countDown();
                        }
                        if (choice.hasNonNull("finish_reason")) {
                            finish[0] = choice.get("finish_reason").asText();
                        }
                    } catch (Exception e) {
                        errors.add(line);
                    }
                }));
        assertThat(firstToken.await(120, TimeUnit.SECONDS)).as("the completion streams").isTrue();

        Path data = TrainingData.jsonl(Path.of("target/sft-data/sync.jsonl"), TrainingData.conversations(2));
        ObjectNode config = JSON.createObjectNode()
                .put("model", ModelServiceResource.MODEL.toAbsolutePath().toString());
        config.putObject("data").put("jsonl", data.toAbsolutePath().toString());
        config.put("steps", 2).put("batch_size", 2).put("lr", 0.01).put("checkpoint_every", 1)
                .put("sync_weights", true);
        String id = given().header("Authorization", "Bearer test-internal-token").contentType(ContentType.JSON)
                .body(Map.of("type", "sft", "config", config)).post("/v1/jobs").then().statusCode(202).extract()
                .jsonPath().getString("id");
        JsonPath[] view = new JsonPath[1];
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
            view[0] = given().header("Authorization", "Bearer test-internal-token").get("/v1/jobs/" + id).then()
                    .extract().jsonPath();
            assertThat(view[0].getString("status")).as("error: %s", view[0].getString("error"))
                    .isIn("queued", "running", "succeeded");
            return "succeeded".equals(view[0].getString("status"));
        });

        // two checkpoints, two reloads: the job, its step log, model-service and /q/metrics agree
        assertThat(view[0].getLong("policy_version")).isEqualTo(before + 2);
        List<Double> logged = given().header("Authorization", "Bearer test-internal-token").get("/v1/jobs/" + id
                + "/steps").then().extract().jsonPath().getList("data.metrics.policy_version", Double.class);
        assertThat(logged).containsExactly((double) before + 1, (double) before + 2);
        assertThat(models().path("policy_version").asLong()).isEqualTo(before + 2);
        assertThat(given().get("/q/metrics").then().extract().asString())
                .contains("aster_trainer_policy_version " + (double) (before + 2));

        stream.get(5, TimeUnit.MINUTES);
        assertThat(errors).isEmpty();
        assertThat(finish[0]).isEqualTo("length");
        assertThat(tokens[0]).isEqualTo(3500);
        assertThat(versions.getFirst()).isEqualTo(before);
        assertThat(versions.getLast()).as("the request was in flight across the reloads").isGreaterThan(before);
    }
}
