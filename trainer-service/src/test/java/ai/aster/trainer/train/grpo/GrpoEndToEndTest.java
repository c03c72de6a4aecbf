package ai.aster.trainer.train.grpo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Tokenizer;
import ai.aster.modeling.train.GrpoLoss;
import ai.aster.modeling.train.LearningRateSchedule;
import ai.aster.modeling.train.PolicyTrainer;
import ai.aster.modeling.train.TrainingSequence;
import ai.aster.protocol.chat.ChatFormat;
import ai.aster.trainer.eval.ChatEndpoint;
import ai.aster.trainer.service.TrajectoryQuery;
import ai.aster.trainer.service.TrajectoryService;
import ai.aster.trainer.service.TrajectorySummary;
import ai.aster.trainer.support.ServingPlatform;
import ai.aster.trainer.support.ServingPlatformResource;
import ai.aster.trainer.train.StepRecord;
import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * One GRPO step on the real platform: packaged gateway, sandbox and model services, Kafka, and this service's store
 * and grader, with a tiny model. A random model answers noise (every rollout wrong: nothing to train), so the test
 * first teaches it, by a few SFT steps on the exact prompt the gateway renders, to answer {@code \boxed{5}} or
 * {@code \boxed{7}} about equally often, and loads that into the model service; its rollouts then score 1 and 0
 * within one group, as a policy that is learning does.
 *
 * <p>The job runs through the job framework ({@code POST /v1/jobs}): its folder under the model service's checkpoint
 * root, the step log, checkpoints and weight sync are the framework's.
 */
@QuarkusTest
@WithTestResource(ServingPlatformResource.class)
class GrpoEndToEndTest {

    private static final String PROBLEM = "What is 2 + 3?";
    private static final int N = 8;
    private static final int MAX_TOOL_CALLS = 2;

    private static final String TOKEN = "Bearer test-internal-token";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    ServingPlatform platform;

    @Inject
    GrpoRunFactory factory;

    @Inject
    TrajectoryService trajectories;

    @Test
    void oneStepRollsOutThroughTheGatewayTrainsAndTheModelServiceLoadsTheCheckpoint() throws Exception {
        Path root = platform.checkpointRoot();
        Path warm = root.resolve("warm-start");
        long warmVersion = warmStart(warm);
        assertThat(policyVersion()).isEqualTo(warmVersion);

        // an id of its own: the store's database folder outlives a test run
        String problemId = "grpo-e2e-" + System.nanoTime();
        Path prompts = root.resolve("prompts.jsonl");
        Files.writeString(prompts, json.writeValueAsString(Map.of("id", problemId, "problem", PROBLEM,
                "answer", "5")) + "\n");
        ObjectNode config = json.createObjectNode();
        config.put("model", warm.toString());
        config.putObject("prompts").put("jsonl", prompts.toString());
        config.put("steps", 1).put("prompts_per_step", 1).put("rollouts_per_prompt", N)
                .put("max_tool_calls", MAX_TOOL_CALLS).put("max_tokens", 16).put("temperature", 1.0)
                .put("lr", 1e-3).put("micro_batch_size", 3).put("seed", 1).put("store_timeout", "5m");
        // through the job framework: POST /v1/jobs, the job's folder under the checkpoint root, weight sync on
        String id = given().header("Authorization", TOKEN).contentType(ContentType.JSON)
                .body(Map.of("type", "grpo", "config", config)).post("/v1/jobs").then().statusCode(202).extract()
                .jsonPath().getString("id");
        JsonNode[] view = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500)).until(() -> {
            view[0] = json.readTree(given().header("Authorization", TOKEN).get("/v1/jobs/" + id).then()
                    .statusCode(200).extract().asString());
            assertThat(view[0].path("status").asText()).as("error: %s", view[0].path("error").asText())
                    .isIn("queued", "running", "succeeded");
            return "succeeded".equals(view[0].path("status").asText());
        });
        JsonNode steps = json.readTree(given().header("Authorization", TOKEN).get("/v1/jobs/" + id + "/steps")
                .then().statusCode(200).extract().asString()).path("data");
        assertThat(steps).hasSize(1);
        StepRecord step = json.treeToValue(steps.get(0), StepRecord.class);
        assertThat(step.step()).isEqualTo(1);
        assertThat(step.totalSteps()).isEqualTo(1);
        assertThat(step.metrics()).containsKeys("loss", "grad_norm", "lr", "tokens", "reward_mean", "accuracy",
                "tool_calls_mean", "response_tokens_mean", "format_errors", "clip_fraction", "approx_kl",
                "entropy", "groups_dropped", "turns_skipped", "rollouts_failed", "policy_version");
        assertThat(step.seconds()).containsOnlyKeys("rollout", "reward", "forward_backward", "optimizer",
                "weights_sync");
        // a draw whose N rollouts all scored alike is dropped and the step draws again, until a group is mixed
        int rollouts = step.metrics().get("rollouts").intValue();
        int draws = rollouts / N;
        assertThat(rollouts).isPositive().isEqualTo(draws * N);
        assertThat(step.metrics().get("groups_dropped")).isEqualTo(draws - 1);
        assertThat(step.metrics().get("rollouts_failed")).isZero();
        double accuracy = step.metrics().get("accuracy");
        assertThat(accuracy).isStrictlyBetween(0.0, 1.0); // the last draw's group was mixed
        assertThat(step.metrics().get("reward_mean")).isEqualTo(accuracy); // no shaping: reward = the 1/0 grade
        assertThat(step.metrics().get("sequences")).isEqualTo(N); // only the mixed group is trained
        assertThat(step.metrics().get("grad_norm")).isPositive();
        assertThat(step.metrics().get("lr")).isEqualTo(1e-3);
        assertThat(step.toolCallsHistogram().values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(rollouts);

        // the rollouts are in the store as source=rollout, graded against the reference answer
        List<TrajectorySummary> stored = trajectories.list(new TrajectoryQuery("rollout", problemId, null,
                null, null, null, null, null, null, null, null, 100)).data();
        assertThat(stored).hasSize(rollouts);
        assertThat(stored).allSatisfy(t -> {
            assertThat(t.source()).isEqualTo("rollout");
            assertThat(t.policyVersion()).isEqualTo(warmVersion);
            JsonNode doc = trajectories.get(t.id()).orElseThrow().trajectory();
            assertThat(doc.path("correct").isBoolean()).as(t.id()).isTrue();
            assertThat(doc.path("reward").asDouble()).isIn(0.0, 1.0);
        });
        long correct = stored.stream().filter(t -> trajectories.get(t.id()).orElseThrow().trajectory()
                .path("correct").asBoolean()).count();
        assertThat(correct).isEqualTo(Math.round(accuracy * rollouts));

        // a checkpoint in Hugging Face layout, and the model service serves it as the next version (sync is GRPO's
        // default: the config does not say)
        Path checkpoint = root.resolve(id).resolve("checkpoints/step-000001");
        assertThat(checkpoint.resolve("config.json")).isRegularFile();
        assertThat(checkpoint.resolve("model.safetensors")).isRegularFile();
        assertThat(checkpoint.resolve("trainer_state.json")).isRegularFile();
        assertThat(policyVersion()).isEqualTo(warmVersion + 1);
        assertThat(step.metrics().get("policy_version")).isEqualTo(warmVersion + 1);
        assertThat(view[0].path("policy_version").asLong()).isEqualTo(warmVersion + 1);
        assertThat(root.resolve(id).resolve("steps.jsonl")).isRegularFile();
    }

    /**
     * Teaches the tiny model to answer the problem with {@code \boxed{5}} or {@code \boxed{7}} (cross-entropy on both
     * makes the branch token 50/50), writes it to {@code dir} and loads it into the model service.
     */
    private long warmStart(Path dir) throws Exception {
        List<Integer> promptIds = renderedPrompt();
        try (Tokenizer tokenizer = Tokenizer.load(platform.modelDir());
                Qwen3Model model = Qwen3Model.load(platform.modelDir(), Device.cpu());
                PolicyTrainer trainer = new PolicyTrainer(model, new PolicyTrainer.Options(
                        LearningRateSchedule.constant(1e-2), 1.0, 2, 0.0, GrpoLoss.aster()))) {
            int end = tokenizer.tokenId(ChatFormat.IM_END).orElseThrow();
            List<TrainingSequence> answers = new ArrayList<>();
            for (String answer : List.of("\\boxed{5}", "\\boxed{7}")) {
                int[] completion = tokenizer.encode(answer);
                int[] tokens = IntStream.concat(IntStream.concat(promptIds.stream().mapToInt(Integer::intValue),
                        IntStream.of(completion)), IntStream.of(end)).toArray();
                boolean[] mask = new boolean[tokens.length];
                for (int t = promptIds.size(); t < tokens.length; t++) {
                    mask[t] = true;
                }
                answers.add(new TrainingSequence(tokens, mask));
            }
            // until each answer has probability above 0.3 (the optimum is 0.5 each); a bound, not a pause
            for (int step = 0; step < 500 && !bothLikely(model, answers); step++) {
                trainer.sftStep(answers);
            }
            assertThat(bothLikely(model, answers)).as("warm start converged").isTrue();
            model.save(dir);
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(platform.modelServiceUrl()
                        + "/v1/weights")).header("Authorization", "Bearer " + ServingPlatform.INTERNAL_TOKEN)
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("path", dir.toString()))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body()).path("policy_version").asLong();
    }

    private static boolean bothLikely(Qwen3Model model, List<TrainingSequence> answers) {
        int[][] tokens = answers.stream().map(TrainingSequence::tokens).toArray(int[][]::new);
        float[][] logprobs = model.sequenceLogprobs(tokens);
        for (int b = 0; b < tokens.length; b++) {
            double sum = 0;
            for (int t = 1; t < tokens[b].length; t++) {
                if (answers.get(b).lossMask()[t]) {
                    sum += logprobs[b][t - 1];
                }
            }
            if (sum < Math.log(0.3)) {
                return false;
            }
        }
        return true;
    }

    /** The prompt's token ids exactly as the gateway renders them for a rollout (tools included). */
    private List<Integer> renderedPrompt() throws Exception {
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(platform.endpoint() + "/models"))
                .header("Authorization", "Bearer " + ServingPlatform.API_KEY).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        String model = json.readTree(models.body()).path("data").get(0).path("id").asText();
        String body = json.writeValueAsString(Map.of("model", model, "max_tokens", 1, "max_tool_calls",
                MAX_TOOL_CALLS, "messages", List.of(Map.of("role", "user", "content",
                        PROBLEM + ChatEndpoint.PROMPT_SUFFIX))));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(platform.endpoint()
                        + "/chat/completions")).header("Authorization", "Bearer " + ServingPlatform.API_KEY)
                .header("Content-Type", "application/json").header(ChatEndpoint.SOURCE_HEADER, "api")
                .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String id = json.readTree(r.body()).path("id").asText();
        List<Integer> ids = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> trajectories.get(id).isPresent());
        trajectories.get(id).orElseThrow().trajectory().path("prompt_token_ids").forEach(n -> ids.add(n.asInt()));
        assertThat(ids).isNotEmpty();
        return ids;
    }

    private long policyVersion() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(platform.modelServiceUrl()
                        + "/v1/models")).header("Authorization", "Bearer " + ServingPlatform.INTERNAL_TOKEN)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body()).path("data").get(0).path("policy_version").asLong();
    }
}
