package ai.aster.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import ai.aster.kafka.LocalKafka;
import ai.aster.trainer.dataset.ExportCli;
import ai.aster.trainer.repository.TrajectoryStore;
import ai.aster.trainer.service.TrajectoryQuery;
import ai.aster.trainer.support.Hyparquet;
import ai.aster.trainer.support.LocalKafkaResource;
import ai.aster.trainer.support.TrajectoryTopic;
import ai.aster.trainer.support.Trajectories;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset exports over HTTP and through the command line, on trajectories that went through the real ingest
 * (published on Kafka, graded and stored by the running service), read back with an independent parquet reader
 * (hyparquet, by node) and, for JSONL, plain JSON parsing.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class DatasetExportTest {

    private static final String TOKEN = "test-internal-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    LocalKafka kafka;

    @Inject
    TrajectoryStore store;

    @TempDir
    Path dir;

    /** One model name per test instance: the export's filter that isolates this test's rows in a shared store. */
    private final String model = "export-" + UUID.randomUUID();
    private final String problemA = "a-" + model;
    private final String problemB = "b-" + model;

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }

    /**
     * Five trajectories, oldest first: two of problem A (the older right with 2 code calls, the newer wrong with
     * none), one of B (right, 1 call, a fraction as reference), one without a problem id but with a reference
     * (right, 1 call), one without a reference.
     */
    @BeforeEach
    void publish() {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        records.add(record(trajectory("a1", problemA, 3, 100, "5", "The answer is \\boxed{5}.")));
        records.add(record(trajectory("a2", problemA, 1, 200, "5", "The answer is \\boxed{6}.")));
        records.add(record(trajectory("b1", problemB, 2, 300, "\\frac{1}{2}", "So \\boxed{0.5}.")));
        ObjectNode c1 = trajectory("c1", null, 2, 400, "7", "\\boxed{7}");
        ((ObjectNode) c1.withArray("messages").get(0)).put("content", "What is 3+4? Put the answer in \\boxed{}.");
        records.add(record(c1));
        records.add(record(trajectory("d1", "d-" + model, 2, 500, null, "\\boxed{5}")));
        try (TrajectoryTopic topic = new TrajectoryTopic(kafka.bootstrapServers())) {
            topic.publishAll(records);
        }
        TrajectoryQuery mine = new TrajectoryQuery(null, null, model, null, null, null, null, null, null, null, null,
                10);
        await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(3))
                .until(() -> store.query(mine).data().size() == 5);
    }

    private ObjectNode trajectory(String name, String problem, int turns, long seed, String reference, String answer) {
        ObjectNode t = Trajectories.trajectory(model + "-" + name, problem, turns, seed);
        if (problem == null) {
            t.remove("problem_id");
        }
        t.put("model", model);
        if (reference != null) {
            t.put("reference_answer", reference);
        }
        t.put("final_answer", answer);
        ArrayNode all = t.withArray("turns");
        ObjectNode last = (ObjectNode) all.get(all.size() - 1);
        String text = last.get("completion_text").asText();
        last.put("completion_text", text.substring(0, text.indexOf("</think>") + 8) + "\n\n" + answer);
        return t;
    }

    private static Map.Entry<String, byte[]> record(ObjectNode t) {
        return Map.entry(t.get("id").asText(), Trajectories.bytes(t));
    }

    private Path download(Response response, String name) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, response.asByteArray());
        return file;
    }

    @Test
    void verlRlHasOneRowPerProblemWithAReferenceAnswer() throws Exception {
        Response response = api().queryParam("format", "verl-rl").queryParam("model", model)
                .get("/v1/datasets/export");
        response.then().statusCode(200).contentType("application/vnd.apache.parquet")
                .header("X-Aster-Export-Rows", "3");
        assertThat(response.header("Content-Disposition")).matches("attachment; filename=\"aster-verl-rl-\\d{8}-\\d{6}"
                + "\\.parquet\"");
        JsonNode read = Hyparquet.read(download(response, "rl.parquet"));
        assertThat(read.get("num_rows").asInt()).isEqualTo(3);
        JsonNode rows = read.get("rows");
        // newest first: c1 (keyed by its prompt), b1, then A's newest trajectory (a2); a1 is the same problem as a2
        assertThat(rows.findValuesAsText("ground_truth")).containsExactly("7", "\\frac{1}{2}", "5");
        assertThat(rows.findValuesAsText("trajectory_id")).containsExactly(model + "-c1", model + "-b1",
                model + "-a2");
        for (int i = 0; i < 3; i++) {
            JsonNode row = rows.get(i);
            assertThat(row.get("data_source").asText()).isEqualTo("lighteval/MATH");
            assertThat(row.get("ability").asText()).isEqualTo("math");
            assertThat(row.get("agent_name").asText()).isEqualTo("tool_agent");
            assertThat(row.at("/reward_model/style").asText()).isEqualTo("rule");
            assertThat(row.at("/extra_info/index").asInt()).isEqualTo(i);
            assertThat(row.at("/extra_info/split").asText()).isEqualTo("train");
            assertThat(row.get("prompt")).hasSize(1);
            assertThat(row.at("/prompt/0/role").asText()).isEqualTo("user");
        }
        assertThat(rows.at("/0/prompt/0/content").asText()).startsWith("What is 3+4?");
        assertThat(comparable(rows.get(0)).at("/extra_info/problem_id").isMissingNode()).isTrue();
        assertThat(rows.at("/1/extra_info/problem_id").asText()).isEqualTo(problemB);
        assertThat(rows.at("/2/prompt/0/content").asText()).startsWith("What is 2+3?");

        // data_source and split are the caller's to choose; filters narrow the problems (only B was right with 1 call)
        Response narrowed = api().queryParam("format", "verl-rl").queryParam("model", model)
                .queryParam("data_source", "aster-math").queryParam("split", "test").queryParam("problem_id", problemB)
                .get("/v1/datasets/export");
        JsonNode one = Hyparquet.read(download(narrowed, "rl-b.parquet"));
        assertThat(one.get("num_rows").asInt()).isEqualTo(1);
        assertThat(one.at("/rows/0/data_source").asText()).isEqualTo("aster-math");
        assertThat(one.at("/rows/0/extra_info/split").asText()).isEqualTo("test");
    }

    @Test
    void verlSftHasOneRowPerSelectedTrajectoryWithToolCallsAndResults() throws Exception {
        Response response = api().queryParam("format", "verl-sft").queryParam("model", model)
                .queryParam("correct", "true").queryParam("min_tool_calls", 1).get("/v1/datasets/export");
        response.then().statusCode(200).header("X-Aster-Export-Rows", "3");
        JsonNode read = Hyparquet.read(download(response, "sft.parquet"));
        assertThat(read.get("num_rows").asInt()).isEqualTo(3);
        JsonNode rows = read.get("rows");
        assertThat(rows.findValuesAsText("trajectory_id")).containsExactly(model + "-c1", model + "-b1",
                model + "-a1");
        JsonNode a1 = rows.get(2);
        JsonNode messages = a1.get("messages");
        assertThat(messages.findValuesAsText("role")).containsExactly("user", "assistant", "tool", "assistant", "tool",
                "assistant");
        assertThat(messages.at("/0/content").asText()).startsWith("What is 2+3?");
        for (int call : new int[] {1, 3}) {
            JsonNode assistant = messages.get(call);
            assertThat(assistant.get("content").asText()).startsWith("<think>\nstep " + (call / 2))
                    .endsWith("</think>").doesNotContain("<tool_call>");
            assertThat(assistant.get("tool_calls")).hasSize(1);
            assertThat(assistant.at("/tool_calls/0/id").asText()).isEqualTo("call_" + (call / 2));
            assertThat(assistant.at("/tool_calls/0/type").asText()).isEqualTo("function");
            assertThat(assistant.at("/tool_calls/0/function/name").asText()).isEqualTo("code_interpreter");
            assertThat(JSON.readTree(assistant.at("/tool_calls/0/function/arguments").asText()))
                    .isEqualTo(JSON.createObjectNode().put("code", "print(2+3)"));
            JsonNode tool = messages.get(call + 1);
            assertThat(tool.get("content").asText()).isEqualTo("5\n");
            assertThat(tool.get("tool_call_id").asText()).isEqualTo("call_" + (call / 2));
            assertThat(comparable(tool).has("tool_calls")).isFalse();
        }
        assertThat(messages.at("/5/content").asText()).startsWith("<think>\nstep 2").endsWith("\\boxed{5}.");
        assertThat(a1.at("/tools/0/type").asText()).isEqualTo("function");
        assertThat(a1.at("/tools/0/function/name").asText()).isEqualTo("code_interpreter");
        assertThat(a1.at("/tools/0/function/parameters/required/0").asText()).isEqualTo("code");
        assertThat(a1.at("/extra_info/correct").asBoolean()).isTrue();
        assertThat(a1.at("/extra_info/reward").asDouble()).isEqualTo(1.0);
        assertThat(a1.at("/extra_info/tool_calls").asInt()).isEqualTo(2);
        assertThat(a1.at("/extra_info/reference_answer").asText()).isEqualTo("5");

        Response onlyA1 = api().queryParam("format", "verl-sft").queryParam("model", model)
                .queryParam("min_tool_calls", 2).get("/v1/datasets/export");
        assertThat(Hyparquet.read(download(onlyA1, "sft-a1.parquet")).at("/rows/0/extra_info/trajectory_id").asText())
                .isEqualTo(model + "-a1");
    }

    @Test
    void jsonlIsTheSftRowsAsJsonLines() throws Exception {
        Response response = api().queryParam("format", "jsonl").queryParam("model", model).get("/v1/datasets/export");
        response.then().statusCode(200).contentType("application/x-ndjson").header("X-Aster-Export-Rows", "5");
        assertThat(response.header("Content-Disposition")).endsWith(".jsonl\"");
        List<String> lines = response.asString().lines().toList();
        assertThat(lines).hasSize(5);
        List<JsonNode> rows = new ArrayList<>();
        for (String line : lines) {
            rows.add(JSON.readTree(line));
        }
        assertThat(rows.stream().map(r -> r.at("/extra_info/trajectory_id").asText()))
                .containsExactly(model + "-d1", model + "-c1", model + "-b1", model + "-a2", model + "-a1");
        assertThat(rows.get(0).at("/extra_info/correct").isMissingNode()).isTrue();
        assertThat(rows.get(3).at("/extra_info/correct").asBoolean()).isFalse();
        assertThat(rows.get(3).get("messages").findValuesAsText("role")).containsExactly("user", "assistant");
        assertThat(rows.get(3).at("/messages/1/content").asText()).endsWith("\\boxed{6}.");
        assertThat(rows.get(3).at("/messages/1/tool_calls").isMissingNode()).isTrue();

        // the same rows as the parquet export, field for field
        Response parquet = api().queryParam("format", "verl-sft").queryParam("model", model).get("/v1/datasets/export");
        JsonNode read = Hyparquet.read(download(parquet, "all.parquet")).get("rows");
        for (int i = 0; i < 5; i++) {
            assertThat(comparable(read.get(i))).isEqualTo(comparable(rows.get(i)));
        }
    }

    @Test
    void badRequestsAreClear400s() {
        bad(Map.of("format", "csv"), "format");
        bad(Map.of("model", model), "format");
        bad(Map.of("format", "jsonl", "min_tool_calls", "-1"), "min_tool_calls");
        bad(Map.of("format", "jsonl", "correct", "yes"), "correct");
        bad(Map.of("format", "jsonl", "min_tool_call", "1"), "min_tool_call");
        bad(Map.of("format", "jsonl", "cursor", "x"), "cursor");
        bad(Map.of("format", "verl-rl", "data_source", " "), "data_source");
        given().queryParam("format", "jsonl").get("/v1/datasets/export").then().statusCode(401);
    }

    private static void bad(Map<String, String> params, String param) {
        api().queryParams(params).get("/v1/datasets/export").then().statusCode(400)
                .body("error.param", equalTo(param)).body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void theCommandLineWritesTheFileAndSaysHowManyRows() throws Exception {
        Path out = dir.resolve("nested/rl.parquet");
        Map<String, String> env = Map.of("ASTER_INTERNAL_TOKEN", TOKEN);
        String url = "http://127.0.0.1:" + RestAssured.port;
        Cli ok = cli(env, "--format", "verl-rl", "--out", out.toString(), "--model", model, "--url", url);
        assertThat(ok.status).as(ok.err).isZero();
        assertThat(ok.out).isEqualTo("aster export: wrote 3 rows (verl-rl) to " + out + "\n");
        assertThat(Hyparquet.read(out).get("num_rows").asInt()).isEqualTo(3);

        Path jsonl = dir.resolve("sft.jsonl");
        Cli filtered = cli(env, "--format", "jsonl", "--out", jsonl.toString(), "--model", model, "--correct", "true",
                "--min-tool-calls", "2", "--url", url);
        assertThat(filtered.status).as(filtered.err).isZero();
        assertThat(Files.readAllLines(jsonl)).hasSize(1);

        Cli badFilter = cli(env, "--format", "jsonl", "--out", jsonl.toString(), "--correct", "maybe", "--url", url);
        assertThat(badFilter.status).isEqualTo(2);
        assertThat(badFilter.err).startsWith("aster export: correct must be true or false").hasLineCount(1);
        Cli unknown = cli(env, "--format", "jsonl", "--out", jsonl.toString(), "--colour", "red");
        assertThat(unknown.status).isEqualTo(2);
        assertThat(unknown.err).contains("unknown option --colour").hasLineCount(1);
        Cli wrongToken = cli(Map.of("ASTER_INTERNAL_TOKEN", "wrong"), "--format", "jsonl", "--out",
                jsonl.toString(), "--url", url);
        assertThat(wrongToken.status).isEqualTo(1);
        assertThat(wrongToken.err).isEqualTo("aster export: wrong internal token\n");

        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Cli down = cli(Map.of("ASTER_INTERNAL_TOKEN", TOKEN, "ASTER_TRAINER_PORT", String.valueOf(closed)),
                "--format", "jsonl", "--out", jsonl.toString());
        assertThat(down.status).isEqualTo(1);
        assertThat(down.err).isEqualTo("aster export: trainer-service is not running at http://127.0.0.1:" + closed
                + " (start the platform with ./aster up)\n");
        Cli noToken = cli(Map.of("ASTER_STATE_DIR", dir.resolve("nowhere").toString()), "--format", "jsonl",
                "--out", jsonl.toString());
        assertThat(noToken.status).isEqualTo(1);
        assertThat(noToken.err).startsWith("aster export: no internal token").hasLineCount(1);
    }

    private record Cli(int status, String out, String err) {}

    private static Cli cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExportCli.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Nulls dropped (absent fields of JSONL, null columns of parquet), numbers compared by value. */
    private static JsonNode comparable(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getValue().isNull()) {
                    out.set(field.getKey(), comparable(field.getValue()));
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(item -> out.add(comparable(item)));
            return out;
        }
        // JSON does not tell 1 from 1.0 (JavaScript has one number type): compare numbers by value
        return node.isNumber() ? JSON.getNodeFactory().numberNode(node.asDouble()) : node;
    }
}
