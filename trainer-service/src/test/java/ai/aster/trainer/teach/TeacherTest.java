package ai.aster.trainer.teach;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.aster.grading.AnswerGrader;
import ai.aster.kafka.LocalKafka;
import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.Tokenizer;
import ai.aster.protocol.chat.ToolResultTemplate;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.sandbox.ExecutionStatus;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.Turn;
import ai.aster.trainer.support.LocalKafkaResource;
import ai.aster.trainer.support.SandboxProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./aster teach} end to end on real parts: the packaged sandbox-service running each call in a container,
 * the launcher's Kafka broker, this trainer storing what the command publishes, a tiny model made by
 * {@code ModelInit} for its tokenizer and chat template. One problem of every family, dense and sparse.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class TeacherTest {

    private static final String TOKEN = "Bearer test-internal-token";
    private static Path dir;
    private static Path model;
    private static SandboxProcess sandbox;

    LocalKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createDirectories(Path.of("target")).resolve("teach-" + System.nanoTime());
        model = dir.resolve("model");
        Files.createDirectories(dir);
        Process init = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "ai.aster.modeling.ModelInit", model.toString(),
                "--seed", "42").redirectErrorStream(true).redirectOutput(dir.resolve("model-init.log").toFile())
                .start();
        assertThat(init.waitFor(300, TimeUnit.SECONDS) && init.exitValue() == 0)
                .as(() -> read(dir.resolve("model-init.log"))).isTrue();
        sandbox = SandboxProcess.start(dir);
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void denseAndSparseTrajectoriesComeBackFromTheStoreTokenExactAndCorrect() throws Exception {
        Path denseFile = dir.resolve("dense.jsonl");
        Path sparseFile = dir.resolve("sparse.jsonl");
        assertThat(teach("--style", "dense", "--count", "8", "--seed", "11", "--levels", "1", "--out",
                denseFile.toString())).isZero();
        assertThat(teach("--style", "sparse", "--count", "8", "--seed", "11", "--levels", "1", "--out",
                sparseFile.toString())).isZero();

        ObjectMapper json = TeachCli.json();
        Map<String, JsonNode> dense = records(json, denseFile);
        Map<String, JsonNode> sparse = records(json, sparseFile);
        assertThat(dense.keySet()).hasSize(8).isEqualTo(sparse.keySet());

        ChatTemplate template = ChatTemplate.forModel(model);
        ToolResultTemplate results = ToolResultTemplate.fromRendering(
                template.render(ToolResultTemplate.SAMPLE, null, true));
        try (Tokenizer tokenizer = Tokenizer.load(model); AnswerGrader grader = new AnswerGrader()) {
            for (String problemId : dense.keySet()) {
                Trajectory d = stored(json, dense.get(problemId).get("id").asText());
                Trajectory s = stored(json, sparse.get(problemId).get("id").asText());
                assertThat(d.usage().toolCalls()).as(problemId).isGreaterThan(s.usage().toolCalls());
                assertThat(s.usage().toolCalls()).isEqualTo(1);
                for (Trajectory t : List.of(d, s)) {
                    checkTrajectory(t, tokenizer, template, results, grader);
                }
                // the dense style checks its answer with a second method, and the sandbox says it agrees
                assertThat(d.turns()).anySatisfy(turn -> assertThat(turn.toolResult() == null ? ""
                        : turn.toolResult().text()).contains("True"));
                // the file's messages are the same conversation
                JsonNode messages = dense.get(problemId).get("messages");
                assertThat(messages.get(0).get("content").asText()).isEqualTo(d.messages().get(0).content());
                assertThat(messages.findValues("tool_calls")).hasSize(d.usage().toolCalls());
                assertThat(messages.get(messages.size() - 1).get("content").asText())
                        .isEqualTo("The answer is \\boxed{" + d.referenceAnswer() + "}.");
                // ... and the chat template renders the file's conversation (thinking as reasoning_content, calls as
                // tool_calls) to exactly the stored token sequence: SFT from the file and from the store agree
                for (Map<String, JsonNode> file : List.of(dense, sparse)) {
                    JsonNode record = file.get(problemId);
                    Trajectory t = file == dense ? d : s;
                    List<ChatMessage> conversation = new ArrayList<>();
                    record.get("messages").forEach(m -> conversation.add(json.convertValue(m, ChatMessage.class)));
                    String rendered = template.render(conversation, List.of(CodeInterpreterTool.DEFINITION), false);
                    assertThat(rendered.stripTrailing()).isEqualTo(tokenizer.decode(array(sequence(t))));
                }
            }
        }
        // the store lists them under the new source
        JsonPath page = given().header("Authorization", TOKEN).queryParam("source", "sft").queryParam("limit", 100)
                .get("/v1/trajectories").then().statusCode(200).extract().jsonPath();
        assertThat(page.getList("data.source", String.class)).hasSize(16).containsOnly("sft");
    }

    @Test
    void manyProblemsInOneExecutionWriteTheSameConversationsAsOneCallPerExecution() throws Exception {
        Path single = dir.resolve("single.jsonl");
        Path together = dir.resolve("together.jsonl");
        assertThat(teach("--style", "dense", "--count", "16", "--seed", "23", "--levels", "1,2", "--no-publish",
                "--out", single.toString())).isZero();
        assertThat(teach("--style", "dense", "--count", "16", "--seed", "23", "--levels", "1,2", "--no-publish",
                "--per-execution", "6", "--out", together.toString())).isZero();
        ObjectMapper json = TeachCli.json();
        Map<String, JsonNode> one = records(json, single);
        Map<String, JsonNode> many = records(json, together);
        assertThat(many.keySet()).hasSize(16).containsExactlyElementsOf(one.keySet());
        for (String problemId : one.keySet()) {
            // every tool output, every thought quoting one, every answer: the same text
            assertThat(many.get(problemId).get("messages")).as(problemId).isEqualTo(one.get(problemId).get("messages"));
        }
    }

    @Test
    void notebooksKeepStateWithinATrajectoryNotAcrossAndStopAtTheFirstFailingCall() {
        SandboxNotebooks notebooks = new SandboxNotebooks(new SandboxExecutions(TeachCli.json(), sandbox.url(),
                sandbox.token()), TeachCli.json());
        List<List<ExecutionResult>> results = notebooks.run(List.of(
                List.of("x = 6", "print(x * 7)", "x + 1"),
                List.of("print(x)"),
                List.of("import sys\nprint('partial')\nprint('warn', file=sys.stderr)\n1 / 0", "print('never')")),
                60);
        assertThat(results).hasSize(3);
        assertThat(results.get(0)).extracting(ExecutionResult::status).containsOnly(ExecutionStatus.OK);
        assertThat(results.get(0)).extracting(ExecutionResult::stdout).containsExactly("", "42\n", "7\n");
        assertThat(results.get(1)).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ExecutionStatus.ERROR);
            assertThat(r.stderr()).contains("NameError");
        });
        assertThat(results.get(2)).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ExecutionStatus.ERROR);
            assertThat(r.stdout()).isEqualTo("partial\n");
            assertThat(r.stderr()).contains("warn", "ZeroDivisionError");
        });
    }

    @Test
    void badArgumentsAndAMissingSandboxAreOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        Map<String, String> env = env();
        assertThat(TeachCli.run(List.of("--count", "2"), env, stream)).isEqualTo(2);
        assertThat(TeachCli.run(List.of("--style", "medium"), env, stream)).isEqualTo(2);
        assertThat(TeachCli.run(List.of("--style", "dense", "--model", dir.toString()), env, stream)).isEqualTo(2);
        env.put("ASTER_SANDBOX_PORT", "1");
        assertThat(TeachCli.run(List.of("--style", "sparse", "--count", "3", "--no-publish"), env, stream))
                .isEqualTo(1);
        // an unreachable sandbox stops the batch at once (SandboxUnreachableException), not problem by problem
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--style dense|sparse is required",
                "--style must be dense or sparse", "is not a model folder", "cannot reach the sandbox")
                .doesNotContain("\tat ", "got no trajectory");
    }

    private void checkTrajectory(Trajectory t, Tokenizer tokenizer, ChatTemplate template, ToolResultTemplate results,
            AnswerGrader grader) {
        assertThat(t.source()).isEqualTo("sft");
        assertThat(t.finishReason()).isEqualTo("stop");
        assertThat(grader.grade(t.referenceAnswer(), t.turns().getLast().completionText()).correct())
                .as(t.id()).isTrue();
        assertThat(t.finalAnswer()).isEqualTo(t.referenceAnswer());
        // the prompt is the chat template's, with the code interpreter declared
        assertThat(t.promptTokenIds()).isEqualTo(ids(tokenizer,
                template.render(t.messages(), List.of(CodeInterpreterTool.DEFINITION), true)));
        StringBuilder sequence = new StringBuilder(tokenizer.decode(array(t.promptTokenIds())));
        List<ChatMessage> conversation = new ArrayList<>(t.messages());
        for (int i = 0; i < t.turns().size(); i++) {
            Turn turn = t.turns().get(i);
            assertThat(tokenizer.decode(array(turn.completionTokenIds()))).isEqualTo(turn.completionText());
            sequence.append(turn.completionText());
            if (turn.toolResult() == null) {
                assertThat(i).isEqualTo(t.turns().size() - 1);
                continue;
            }
            // a real execution: its status, and the result appended as the template renders a tool message
            assertThat(turn.toolResult().status()).isEqualTo("ok");
            assertThat(turn.toolResult().durationMs()).isPositive();
            String continuation = results.wrap(turn.toolResult().text());
            assertThat(turn.toolResult().tokenIds()).isEqualTo(ids(tokenizer, continuation));
            sequence.append(continuation);
            conversation.add(ChatMessage.assistant(turn.completionText()));
            conversation.add(ChatMessage.tool("call_" + i, turn.toolResult().text()));
        }
        // every tool output is the real one: the answer the sandbox printed is the reference answer
        assertThat(t.turns().stream().filter(x -> x.toolResult() != null)
                .anyMatch(x -> x.toolResult().text().strip().endsWith(t.referenceAnswer()))).as(t.id()).isTrue();
        // the whole sequence is what the template renders for the conversation so far, up to the final turn
        String lastTurn = t.turns().getLast().completionText();
        String rendered = template.render(conversation, List.of(CodeInterpreterTool.DEFINITION), true);
        assertThat(sequence.toString()).isEqualTo(rendered + lastTurn);

        // the token view of the stored trajectory: model tokens are exactly the teacher's turns
        JsonPath view = given().header("Authorization", TOKEN).get("/v1/trajectories/" + t.id()).then()
                .statusCode(200).extract().jsonPath();
        assertThat(view.getString("trajectory.source")).isEqualTo("sft");
        assertThat(view.getDouble("trajectory.reward")).as("graded on ingest").isEqualTo(1.0);
        List<Integer> tokenIds = view.getList("token_view.token_ids", Integer.class);
        List<String> mask = view.getList("token_view.mask", String.class);
        List<Map<String, Object>> segments = view.getList("token_view.segments");
        List<String> modelTexts = new ArrayList<>();
        for (Map<String, Object> segment : segments) {
            if ("model".equals(segment.get("kind"))) {
                int start = (Integer) segment.get("start");
                int end = (Integer) segment.get("end");
                assertThat(mask.subList(start, end)).containsOnly("model");
                modelTexts.add(tokenizer.decode(array(tokenIds.subList(start, end))));
            }
        }
        assertThat(modelTexts).isEqualTo(t.turns().stream().map(Turn::completionText).toList());
        assertThat(tokenizer.decode(array(tokenIds))).isEqualTo(sequence.toString());
    }

    private static List<Integer> sequence(Trajectory t) {
        List<Integer> ids = new ArrayList<>(t.promptTokenIds());
        for (Turn turn : t.turns()) {
            ids.addAll(turn.completionTokenIds());
            if (turn.toolResult() != null) {
                ids.addAll(turn.toolResult().tokenIds());
            }
        }
        return ids;
    }

    private int teach(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = TeachCli.run(Arrays.asList(args), env(), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).as(() -> err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("teach ");
        return rc;
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("ASTER_MODEL_PATH", model.toString());
        env.put("ASTER_INTERNAL_TOKEN", sandbox.token());
        env.put("ASTER_SANDBOX_PORT", Integer.toString(sandbox.port()));
        env.put("ASTER_KAFKA_PORT", kafka.bootstrapServers().substring(kafka.bootstrapServers().lastIndexOf(':') + 1));
        env.put("ASTER_STATE_DIR", dir.resolve("state").toString());
        return env;
    }

    private static Map<String, JsonNode> records(ObjectMapper json, Path file) throws Exception {
        Map<String, JsonNode> byProblem = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode node = json.readTree(line);
            byProblem.put(node.get("problem_id").asText(), node);
        }
        return byProblem;
    }

    private static Trajectory stored(ObjectMapper json, String id) throws Exception {
        await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(3)).until(() ->
                given().header("Authorization", TOKEN).get("/v1/trajectories/" + id).statusCode() == 200);
        String body = given().header("Authorization", TOKEN).get("/v1/trajectories/" + id).then().statusCode(200)
                .extract().asString();
        return json.treeToValue(json.readTree(body).get("trajectory"), Trajectory.class);
    }

    private static List<Integer> ids(Tokenizer tokenizer, String text) {
        return Arrays.stream(tokenizer.encode(text)).boxed().toList();
    }

    private static int[] array(List<Integer> ids) {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
