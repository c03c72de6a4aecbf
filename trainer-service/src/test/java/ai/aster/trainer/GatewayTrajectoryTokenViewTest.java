package ai.aster.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.aster.kafka.LocalKafka;
import ai.aster.trainer.support.LocalKafkaResource;
import ai.aster.trainer.support.TrajectoryTopic;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The token view of a trajectory the real gateway produced. {@code gateway-trajectory.json} was taken off the
 * {@code aster.trajectories} topic after gateway-service's {@code TrajectoryKafkaTest} ran (the real gateway, the
 * real sandbox-service running each call in a container, a scripted model serving token ids): that test checks that
 * prompt ids + each turn's completion ids + each tool result's ids equal what the model received at its last call
 * plus what it wrote then. The scripted model's tokenizer maps each character to its code point and Qwen3's special
 * tokens to ids from 2,000,000, so the ids can be read back here, independently of how the view was built.
 *
 * <p>Checked here, after the document went through Kafka and the store: the sequence is that concatenation; every
 * token marked {@code model} was written by the model (its segments read back as the turns' completion texts, in
 * order), every {@code tool} segment is the template's wrapping of the sandbox's output, and nothing else is
 * marked {@code model}.
 */
// Awaits ignore exceptions thrown on other threads (awaitility would fail on them): the grading library's Symja
// warm-up can throw on its own pool threads, which says nothing about the store.
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class GatewayTrajectoryTokenViewTest {

    private static final List<String> SPECIAL = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>",
            "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>");
    private static final int SPECIAL_BASE = 2_000_000;

    LocalKafka kafka;

    @Test
    void theTokenViewIsTheSequenceTheModelSawWithTheRightMask() throws Exception {
        byte[] document;
        try (InputStream in = getClass().getResourceAsStream("/gateway-trajectory.json")) {
            document = in.readAllBytes();
        }
        JsonPath published = new JsonPath(new String(document, java.nio.charset.StandardCharsets.UTF_8));
        String id = published.getString("id");
        try (TrajectoryTopic topic = new TrajectoryTopic(kafka.bootstrapServers())) {
            topic.publish(id, document);
        }
        await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(5)).until(() -> given().header("Authorization", "Bearer test-internal-token")
                .get("/v1/trajectories/" + id).statusCode() == 200);
        JsonPath body = given().header("Authorization", "Bearer test-internal-token").get("/v1/trajectories/" + id)
                .then().statusCode(200).extract().jsonPath();

        List<Integer> ids = body.getList("token_view.token_ids", Integer.class);
        List<String> mask = body.getList("token_view.mask", String.class);
        assertThat(mask).hasSameSizeAs(ids);

        List<Integer> expected = new ArrayList<>(published.getList("prompt_token_ids", Integer.class));
        int turns = published.getList("turns").size();
        assertThat(turns).as("a trajectory with tool calls").isGreaterThan(1);
        for (int t = 0; t < turns; t++) {
            expected.addAll(published.getList("turns[" + t + "].completion_token_ids", Integer.class));
            List<Integer> tool = published.getList("turns[" + t + "].tool_result.token_ids", Integer.class);
            if (tool != null) {
                expected.addAll(tool);
            }
        }
        assertThat(ids).isEqualTo(expected);

        // read the runs back as text
        List<String> modelRuns = new ArrayList<>();
        List<String> toolRuns = new ArrayList<>();
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < ids.size(); ) {
            String kind = mask.get(i);
            StringBuilder run = new StringBuilder();
            int j = i;
            while (j < ids.size() && mask.get(j).equals(kind)) {
                run.append(decode(ids.get(j)));
                j++;
            }
            switch (kind) {
                case "prompt" -> prompt.append(run);
                case "model" -> modelRuns.add(run.toString());
                case "tool" -> toolRuns.add(run.toString());
                default -> throw new AssertionError("unknown mask " + kind);
            }
            i = j;
        }
        assertThat(prompt.toString()).as("the prompt run comes first and ends where the assistant starts")
                .endsWith("<|im_start|>assistant\n");
        assertThat(mask.getFirst()).isEqualTo("prompt");
        assertThat(modelRuns).hasSize(turns);
        for (int t = 0; t < turns; t++) {
            String text = published.getString("turns[" + t + "].completion_text");
            // the model's own end-of-turn token is a model token too (the engine sampled it)
            assertThat(modelRuns.get(t).replace("<|im_end|>", "")).isEqualTo(text);
        }
        assertThat(modelRuns.getLast()).endsWith("<|im_end|>");
        assertThat(toolRuns).hasSize(turns - 1);
        for (int t = 0; t < turns - 1; t++) {
            String result = published.getString("turns[" + t + "].tool_result.text");
            assertThat(toolRuns.get(t)).contains("<tool_response>\n" + result.strip())
                    .endsWith("<|im_start|>assistant\n")
                    .doesNotContain("<tool_call>");
        }
        assertThat(body.getInt("token_view.model_tokens"))
                .isEqualTo(published.getInt("usage.completion_tokens"));
        assertThat(ids.size()).isEqualTo(published.getInt("usage.prompt_tokens") + published.getInt("usage.completion_tokens"));
    }

    private static String decode(int id) {
        return id >= SPECIAL_BASE ? SPECIAL.get(id - SPECIAL_BASE) : new String(Character.toChars(id));
    }
}
