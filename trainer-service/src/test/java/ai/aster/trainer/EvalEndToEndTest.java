package ai.aster.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import ai.aster.trainer.eval.EvalCli;
import ai.aster.trainer.eval.GradingJudge;
import ai.aster.trainer.support.ServingPlatform;
import ai.aster.trainer.support.ServingPlatformResource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The harness end to end against the real serving path (packaged gateway, sandbox and model services, Kafka) with a
 * tiny random model: its answers are noise, so the report's shape and counts are checked, not its accuracy. Both
 * ways in: {@code ./aster eval}'s command line and trainer-service's {@code POST /v1/evals} job.
 */
@QuarkusTest
@WithTestResource(ServingPlatformResource.class)
class EvalEndToEndTest {

    private static final String TOKEN = "Bearer test-internal-token";
    private static final int K = 2;
    private static final List<Map<String, String>> PROBLEMS = List.of(
            Map.of("id", "e2e-1", "problem", "What is 2 + 3?", "answer", "5"),
            Map.of("id", "e2e-2", "problem", "What is 1/2 + 1/4?", "answer", "\\frac{3}{4}"));

    private final ObjectMapper json = new ObjectMapper();

    ServingPlatform platform;

    @Test
    void commandLineRunsTheBenchmarkAndEverySampleIsAnEvalTrajectory() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "eval-e2e-" + System.nanoTime()));
        Path file = dir.resolve("two.jsonl");
        StringBuilder lines = new StringBuilder();
        for (Map<String, String> p : PROBLEMS) {
            lines.append(json.writeValueAsString(p)).append('\n');
        }
        Files.writeString(file, lines);
        Path out = dir.resolve("run");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = EvalCli.run(List.of("--benchmark", file.toString(), "--k", Integer.toString(K), "--max-tokens",
                        "48", "--max-tool-calls", "2", "--concurrency", "2", "--endpoint", platform.endpoint(),
                        "--api-key", ServingPlatform.API_KEY, "--out", out.toString()),
                Map.of("ASTER_STATE_DIR", dir.toString()), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8), GradingJudge::new);
        assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();

        JsonNode report = json.readTree(out.resolve("report.json").toFile());
        checkReport(report, file.toString());
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo(Files.readString(out.resolve("report.md")))
                .contains("| avg@2 |", "| pass@2 |", "| maj@2 |", "`e2e-1`", "`e2e-2`");

        List<JsonNode> samples = Files.readAllLines(out.resolve("samples.jsonl")).stream().map(this::tree).toList();
        assertThat(samples).hasSize(PROBLEMS.size() * K);
        Set<String> ids = new HashSet<>();
        for (JsonNode s : samples) {
            assertThat(s.get("trajectory_id").asText()).startsWith("chatcmpl-");
            ids.add(s.get("trajectory_id").asText());
        }
        Map<String, JsonNode> trajectories = trajectories(ids);
        for (JsonNode s : samples) {
            JsonNode t = trajectories.get(s.get("trajectory_id").asText());
            assertThat(t.get("source").asText()).isEqualTo("eval");
            assertThat(t.get("problem_id").asText()).isEqualTo(s.get("problem_id").asText());
            String answer = PROBLEMS.stream().filter(p -> p.get("id").equals(s.get("problem_id").asText()))
                    .findFirst().orElseThrow().get("answer");
            assertThat(t.get("reference_answer").asText()).isEqualTo(answer);
            assertThat(t.get("finish_reason").asText()).isEqualTo(s.get("finish_reason").asText());
            assertThat(t.get("usage").get("completion_tokens").asInt()).isEqualTo(s.get("completion_tokens").asInt());
        }
        // and trainer-service, consuming the same topic, stores them as eval trajectories
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<String> stored = given().header("Authorization", TOKEN).queryParam("source", "eval")
                    .queryParam("limit", 1000).get("/v1/trajectories").then().statusCode(200).extract()
                    .jsonPath().getList("data.id", String.class);
            assertThat(stored).containsAll(ids);
        });
    }

    @Test
    void evaluationJobReportsProgressThenTheReport() {
        Map<String, Object> body = new HashMap<>();
        body.put("benchmark", "e2e");
        body.put("problems", PROBLEMS);
        body.put("k", K);
        body.put("max_tokens", 48);
        body.put("max_tool_calls", 2);
        String id = given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(body)
                .post("/v1/evals").then().statusCode(202).body("k", equalTo(K))
                .body("progress.total", equalTo(PROBLEMS.size() * K)).extract().path("id");

        // the job's own completion is the event waited for; the bound only turns a hang into a failure
        Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String status = given().header("Authorization", TOKEN).get("/v1/evals/" + id).then().statusCode(200)
                    .extract().path("status");
            assertThat(status).isIn("queued", "running", "completed");
            return "completed".equals(status);
        });
        String answer = given().header("Authorization", TOKEN).get("/v1/evals/" + id).then().statusCode(200)
                .body("progress.done", equalTo(PROBLEMS.size() * K)).extract().asString();
        checkReport(tree(answer).get("report"), "e2e");
        given().header("Authorization", TOKEN).get("/v1/evals/no-such-run").then().statusCode(404)
                .body("error.code", equalTo("not_found"));
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Map.of("benchmark", "aime1999"))
                .post("/v1/evals").then().statusCode(400).body("error.type", equalTo("invalid_request_error"));
        given().get("/v1/evals/" + id).then().statusCode(401);
    }

    private void checkReport(JsonNode report, String benchmark) {
        assertThat(report.get("benchmark").asText()).isEqualTo(benchmark);
        assertThat(report.get("k").asInt()).isEqualTo(K);
        assertThat(report.get("samples").asInt()).isEqualTo(PROBLEMS.size() * K);
        for (String score : List.of("avg_at_k", "pass_at_k", "maj_at_k")) {
            assertThat(report.get(score).isNumber()).as(score).isTrue();
            assertThat(report.get(score).asDouble()).as(score).isBetween(0.0, 1.0);
        }
        assertThat(report.get("pass_at_k").asDouble()).isGreaterThanOrEqualTo(report.get("avg_at_k").asDouble());
        assertThat(report.get("mean_tool_calls").asDouble()).isBetween(0.0, 2.0);
        assertThat(report.get("mean_completion_tokens").asDouble()).isGreaterThan(0.0);
        int reasons = 0;
        for (var it = report.get("finish_reasons").fields(); it.hasNext(); ) {
            reasons += it.next().getValue().asInt();
        }
        assertThat(reasons).isEqualTo(PROBLEMS.size() * K);
        JsonNode problems = report.get("problems");
        assertThat(problems.size()).isEqualTo(PROBLEMS.size());
        for (int i = 0; i < PROBLEMS.size(); i++) {
            JsonNode p = problems.get(i);
            assertThat(p.get("id").asText()).isEqualTo(PROBLEMS.get(i).get("id"));
            assertThat(p.get("answer").asText()).isEqualTo(PROBLEMS.get(i).get("answer"));
            assertThat(p.get("samples").asInt()).isEqualTo(K);
            assertThat(p.get("correct").asInt()).isBetween(0, K);
        }
    }

    /** Reads aster.trajectories from the start until every one of these ids has arrived. */
    private Map<String, JsonNode> trajectories(Set<String> ids) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "eval-e2e-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, JsonNode> found = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of("aster.trajectories"));
            while (!found.keySet().containsAll(ids) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                    if (ids.contains(r.key())) {
                        found.put(r.key(), tree(r.value()));
                    }
                }
            }
        }
        assertThat(found.keySet()).containsAll(ids);
        return found;
    }

    private JsonNode tree(String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
