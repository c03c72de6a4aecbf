package ai.aster.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import ai.aster.trainer.repository.TrajectoryStore;
import ai.aster.trainer.service.IncomingRecord;
import ai.aster.trainer.service.TrajectoryIngest;
import ai.aster.trainer.support.LocalKafkaResource;
import ai.aster.trainer.support.Trajectories;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read API and grading API over HTTP, on rows written through the ingest's own store path. */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class TrajectoryApiTest {

    private static final String TOKEN = "test-internal-token";

    @Inject
    TrajectoryIngest ingest;

    @Inject
    TrajectoryStore store;

    private final String run = UUID.randomUUID().toString();

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }

    @BeforeEach
    void seed() {
        // 25 trajectories of this run: 0..24 tool calls grow with i, sources alternate, every 5th has a reference
        List<IncomingRecord> records = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ObjectNode t = Trajectories.trajectory(run + "-" + i, run, 1 + i % 4, 1000 + i);
            t.put("source", i % 2 == 0 ? "api" : "eval");
            t.put("policy_version", i % 5);
            t.put("finish_reason", i % 3 == 0 ? "length" : "stop");
            if (i % 5 == 0) {
                t.put("reference_answer", i % 10 == 0 ? "5" : "7");
            }
            records.add(new IncomingRecord("aster.trajectories", 0, i, run + "-" + i, Trajectories.bytes(t)));
        }
        ingest.store(ingest.prepare(records));
    }

    @Test
    void theApiNeedsTheInternalToken() {
        given().get("/v1/stats").then().statusCode(401).body("error.code", equalTo("missing_token"));
        given().header("Authorization", "Bearer wrong").get("/v1/stats").then().statusCode(403)
                .body("error.type", equalTo("permission_error"));
        given().get("/q/health").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void pagesWalkEveryMatchOnceNewestFirst() {
        Set<String> seen = new HashSet<>();
        List<String> order = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            RequestSpecification request = api().queryParam("problem_id", run).queryParam("limit", 7);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/v1/trajectories").then().statusCode(200).extract().jsonPath();
            List<String> ids = page.getList("data.id");
            order.addAll(page.getList("data.created_at"));
            assertThat(ids).allMatch(seen::add);
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null);
        assertThat(seen).hasSize(25);
        assertThat(pages).isEqualTo(4);
        assertThat(order.stream().map(java.time.Instant::parse).toList())
                .isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void filtersNarrowTheList() {
        assertThat(ids("source", "eval")).hasSize(12);
        assertThat(ids("finish_reason", "length")).hasSize(9);
        assertThat(ids("min_policy_version", "3")).hasSize(10);
        assertThat(api().queryParam("problem_id", run).queryParam("min_policy_version", 1)
                .queryParam("max_policy_version", 2).get("/v1/trajectories").jsonPath().getList("data")).hasSize(10);
        // tool calls: turns - 1 = i % 4, so 0,1,2,3 repeating
        assertThat(ids("max_tool_calls", "0")).hasSize(7);
        assertThat(ids("min_tool_calls", "3")).hasSize(6);
        assertThat(ids("correct", "true")).containsExactlyInAnyOrder(run + "-0", run + "-10", run + "-20");
        assertThat(ids("correct", "false")).containsExactlyInAnyOrder(run + "-5", run + "-15");
        assertThat(ids("since", "2026-11-30T00:00:01.010Z")).hasSize(15);
        assertThat(ids("model", "nobody")).isEmpty();
    }

    @Test
    void badFiltersAreClear400s() {
        bad("source", "web", "source");
        bad("finish_reason", "tired", "finish_reason");
        bad("min_tool_calls", "-1", "min_tool_calls");
        bad("max_policy_version", "x", "max_policy_version");
        bad("correct", "yes", "correct");
        bad("since", "yesterday", "since");
        bad("cursor", "not-a-cursor", "cursor");
        bad("limit", "0", "limit");
        bad("limit", "100000", "limit");
        api().queryParam("min_tool_calls", 5).queryParam("max_tool_calls", 2).get("/v1/trajectories").then()
                .statusCode(400).body("error.param", equalTo("min_tool_calls"));
    }

    @Test
    void oneTrajectoryComesWithItsTokenView() {
        JsonPath body = api().get("/v1/trajectories/" + run + "-3").then().statusCode(200).extract().jsonPath();
        assertThat(body.getString("trajectory.id")).isEqualTo(run + "-3");
        List<Integer> prompt = body.getList("trajectory.prompt_token_ids", Integer.class);
        List<Integer> expected = new ArrayList<>(prompt);
        List<String> expectedMask = new ArrayList<>(prompt.stream().map(x -> "prompt").toList());
        List<Float> expectedLogprobs = new ArrayList<>(prompt.stream().map(x -> (Float) null).toList());
        int turns = body.getList("trajectory.turns").size();
        assertThat(turns).isEqualTo(4);
        for (int t = 0; t < turns; t++) {
            List<Integer> completion = body.getList("trajectory.turns[" + t + "].completion_token_ids", Integer.class);
            expected.addAll(completion);
            completion.forEach(x -> expectedMask.add("model"));
            expectedLogprobs.addAll(body.getList("trajectory.turns[" + t + "].completion_logprobs", Float.class));
            List<Integer> tool = body.getList("trajectory.turns[" + t + "].tool_result.token_ids", Integer.class);
            if (tool != null) {
                expected.addAll(tool);
                tool.forEach(x -> expectedMask.add("tool"));
                tool.forEach(x -> expectedLogprobs.add(null));
            }
        }
        assertThat(body.getList("token_view.token_ids", Integer.class)).isEqualTo(expected);
        assertThat(body.getList("token_view.mask", String.class)).isEqualTo(expectedMask);
        assertThat(body.getList("token_view.logprobs", Float.class)).isEqualTo(expectedLogprobs);
        assertThat(body.getBoolean("token_view.logprobs_complete")).isTrue();
        assertThat(body.getInt("token_view.model_tokens")).isEqualTo(body.getInt("trajectory.usage.completion_tokens"));
        assertThat(body.getList("token_view.segments.kind", String.class))
                .containsExactly("prompt", "model", "tool", "model", "tool", "model", "tool", "model");

        api().get("/v1/trajectories/nope-" + run).then().statusCode(404).body("error.code", equalTo("not_found"));
    }

    @Test
    void aMissingLogprobIsNullAndSaysIncomplete() {
        ObjectNode t = Trajectories.trajectory(run + "-partial", run + "-partial", 1, 5);
        ((ArrayNode) t.get("turns").get(0).get("completion_logprobs")).setNull(0);
        ingest.store(ingest.prepare(List.of(new IncomingRecord("t", 0, 0, null, Trajectories.bytes(t)))));
        JsonPath body = api().get("/v1/trajectories/" + run + "-partial").then().statusCode(200).extract().jsonPath();
        assertThat(body.getBoolean("token_view.logprobs_complete")).isFalse();
        assertThat(body.getList("token_view.logprobs").get(40)).isNull();
        assertThat(body.getList("token_view.logprobs").get(41)).isNotNull();
    }

    @Test
    void aNulByteInTheTextIsStoredAsAReplacementCharacter() {
        // an untrained model writes NUL bytes; PostgreSQL's JSONB refuses U+0000, so the row went to the DLQ
        ObjectNode t = Trajectories.trajectory(run + "-nul", run + "-nul", 1, 5);
        ((ObjectNode) t.get("turns").get(0)).put("completion_text", "a\u0000b \\u0000 stays");
        ingest.store(ingest.prepare(List.of(new IncomingRecord("t", 0, 0, null, Trajectories.bytes(t)))));
        JsonPath body = api().get("/v1/trajectories/" + run + "-nul").then().statusCode(200).extract().jsonPath();
        assertThat(body.getString("trajectory.turns[0].completion_text")).isEqualTo("a\uFFFDb \\u0000 stays");
    }

    @Test
    void statsCountWhatIsStored() throws Exception {
        String raw = api().get("/v1/stats").then().statusCode(200).extract().asString();
        JsonPath stats = JsonPath.from(raw);
        long total = stats.getLong("total");
        assertThat(total).isEqualTo(store.count());
        assertThat(stats.getLong("by_source.eval")).isGreaterThanOrEqualTo(12);
        assertThat(stats.getMap("by_finish_reason")).containsKeys("stop", "length");
        long histogramSum = stats.getMap("tool_calls_histogram", String.class, Long.class).values().stream()
                .mapToLong(Long::longValue).sum();
        assertThat(histogramSum).isEqualTo(total);
        long graded = stats.getLong("graded");
        assertThat(graded).isGreaterThanOrEqualTo(5);
        // read as a double from the raw body (RestAssured's JsonPath reads JSON numbers as floats)
        double accuracy = new com.fasterxml.jackson.databind.ObjectMapper().readTree(raw).get("accuracy").asDouble();
        assertThat(accuracy).isEqualTo((double) stats.getLong("correct") / graded);
    }

    @Test
    void gradeAndGradeBatch() {
        api().contentType(ContentType.JSON).body("{\"gold\":\"5\",\"prediction\":\"so the answer is \\\\boxed{5}\"}")
                .post("/v1/grade").then().statusCode(200).body("correct", equalTo(true))
                .body("gold_parsed.size()", equalTo(2));
        api().contentType(ContentType.JSON).body("{\"gold\":\"5\",\"prediction\":\"\\\\boxed{6}\"}")
                .post("/v1/grade").then().statusCode(200).body("correct", equalTo(false));
        api().contentType(ContentType.JSON).body("{\"items\":[{\"gold\":\"5\",\"prediction\":\"\\\\boxed{5}\"},"
                + "{\"gold\":\"5\",\"prediction\":\"\\\\boxed{4}\"}],\"float_rounding\":6}")
                .post("/v1/grade/batch").then().statusCode(200)
                .body("results.correct", equalTo(List.of(true, false)));
    }

    @Test
    void badGradeRequestsAreClear400s() {
        api().contentType(ContentType.JSON).body("{\"gold\":\"5\"}").post("/v1/grade").then().statusCode(400)
                .body("error.param", equalTo("prediction"));
        api().contentType(ContentType.JSON).body("{\"gold\":\"5\",\"prediction\":\"5\",\"extraction\":[\"html\"]}")
                .post("/v1/grade").then().statusCode(400).body("error.param", equalTo("extraction"));
        api().contentType(ContentType.JSON).body("{\"gold\":\"5\",\"prediction\":\"5\",\"float_rounding\":-1}")
                .post("/v1/grade").then().statusCode(400).body("error.param", equalTo("float_rounding"));
        api().contentType(ContentType.JSON).body("{\"items\":[{\"gold\":\"5\"}]}").post("/v1/grade/batch").then()
                .statusCode(400).body("error.param", equalTo("items[0].prediction"));
        api().contentType(ContentType.JSON).body("{\"gold\":").post("/v1/grade").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"));
    }

    private List<String> ids(String param, String value) {
        return api().queryParam("problem_id", run).queryParam(param, value).queryParam("limit", 1000)
                .get("/v1/trajectories").then().statusCode(200).extract().jsonPath().getList("data.id");
    }

    private void bad(String param, String value, String expectedParam) {
        api().queryParam(param, value).get("/v1/trajectories").then().statusCode(400)
                .body("error.param", equalTo(expectedParam)).body("error.message", startsWith(expectedParam));
    }
}
