package ai.aster.trainer.train.grpo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.aster.kafka.LocalKafka;
import ai.aster.modeling.ModelInit;
import ai.aster.trainer.support.LocalKafkaResource;
import ai.aster.trainer.support.TrajectoryTopic;
import ai.aster.trainer.service.TrajectoryService;
import ai.aster.trainer.train.StepRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A GRPO run against a fault-injecting stand-in for the gateway (real HTTP) that publishes its "rollouts" to the real
 * Kafka topic, so they reach the real store and grader: a 429 is retried, a prompt whose requests keep failing is
 * counted and left out, a turn without log-probs is skipped and counted, and a cancel between steps issues no further
 * rollout.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class GrpoRunFaultsTest {

    private static final int N = 4;

    private final ObjectMapper json = new ObjectMapper();

    LocalKafka kafka;

    @Inject
    GrpoRunFactory factory;

    @Inject
    TrajectoryService trajectories;

    @Test
    void failuresAreCountedRetriesRetriedAndACancelStopsTheRollouts() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "grpo-faults-" + System.nanoTime()));
        Path model = dir.resolve("model");
        ModelInit.write(model, ModelInit.Options.defaults());
        String tag = "faults" + System.nanoTime();
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, String.join("\n",
                json.writeValueAsString(Map.of("id", tag + "-ok", "problem", "2+3?", "answer", "5")),
                json.writeValueAsString(Map.of("id", tag + "-flaky", "problem", "3+3?", "answer", "6")),
                json.writeValueAsString(Map.of("id", tag + "-down", "problem", "3+4?", "answer", "7"))) + "\n");
        try (TrajectoryTopic topic = new TrajectoryTopic(kafka.bootstrapServers());
                ScriptedGateway gateway = new ScriptedGateway(topic, tag)) {
            ObjectNode config = json.createObjectNode();
            config.put("model", model.toString());
            config.putObject("prompts").put("jsonl", prompts.toString());
            config.put("steps", 3).put("prompts_per_step", 3).put("rollouts_per_prompt", N).put("max_tool_calls", 7)
                    .put("temperature", 0.9).put("max_tokens", 64).put("gateway", gateway.url())
                    .put("concurrency", 3).put("lr", 1e-3).put("sync_weights", false).put("store_timeout", "2m");
            LocalJobContext context = new LocalJobContext("faults", dir.resolve("job"), null, null);
            context.cancelAfterSteps = 1;
            try (context) {
                factory.create(config).run(context);
            }

            assertThat(context.steps).hasSize(1); // cancelled after the first step of three
            StepRecord step = context.steps.get(0);
            assertThat(step.metrics()).containsEntry("rollouts", (double) 2 * N)
                    .containsEntry("rollouts_failed", (double) N) // the prompt whose requests kept failing
                    .containsEntry("groups_dropped", 0.0)
                    .containsEntry("accuracy", 0.5) // even choices answer right
                    .containsEntry("turns_skipped", 2.0) // choice 1 of each answered prompt lacks a log-prob
                    .containsEntry("tool_calls_mean", 1.0)
                    .containsEntry("format_errors", 0.0)
                    .containsEntry("policy_version", 4.0); // no sync: the rollouts' version
            assertThat(step.toolCallsHistogram()).isEqualTo(Map.of(1, 2 * N));
            assertThat(context.checkpoints).containsExactly(dir.resolve("job/checkpoints/step-000001"));

            // one step's requests only: the cancel stopped the rollouts of the next
            assertThat(gateway.requests.get(tag + "-ok")).hasValue(1);
            assertThat(gateway.requests.get(tag + "-flaky")).hasValue(2); // 429, then answered
            assertThat(gateway.requests.get(tag + "-down").get()).isGreaterThan(1); // 503 retried, then given up
            for (JsonNode body : gateway.bodies) {
                assertThat(body.path("n").asInt()).isEqualTo(N);
                assertThat(body.path("max_tool_calls").asInt()).isEqualTo(7);
                assertThat(body.path("temperature").asDouble()).isEqualTo(0.9);
                assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
                assertThat(body.path("reference_answer").asText()).isNotBlank();
                assertThat(body.path("messages").get(0).path("content").asText()).endsWith("\\boxed{}.");
            }
            assertThat(gateway.sources).containsOnly("rollout");
        }
    }

    /**
     * Answers like the gateway with {@code n} choices and publishes each as a trajectory (prompt ids 1..4, one turn
     * of three model tokens and one tool call); even choices box the reference answer, odd ones a wrong one, and
     * choice 1's turn lacks a log-prob. Prompt "-flaky" gets one 429 first, prompt "-down" only 503s.
     */
    private final class ScriptedGateway implements AutoCloseable {
        final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
        final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        final List<String> sources = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private final TrajectoryTopic topic;
        private final String tag;
        private final AtomicInteger ids = new AtomicInteger();

        ScriptedGateway(TrajectoryTopic topic, String tag) throws IOException {
            this.topic = topic;
            this.tag = tag;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/models", ex -> reply(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"m\"}]}",
                    Map.of()));
            server.createContext("/v1/chat/completions", this::chat);
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        }

        private void chat(HttpExchange ex) throws IOException {
            JsonNode body = json.readTree(ex.getRequestBody().readAllBytes());
            sources.add(ex.getRequestHeaders().getFirst("X-Aster-Source"));
            String problem = body.path("problem_id").asText();
            int count = requests.computeIfAbsent(problem, k -> new AtomicInteger()).incrementAndGet();
            if (problem.equals(tag + "-down")) {
                reply(ex, 503, "{\"error\":{\"message\":\"sandbox down\",\"type\":\"service_unavailable\"}}",
                        Map.of("Retry-After", "0"));
                return;
            }
            if (problem.equals(tag + "-flaky") && count == 1) {
                reply(ex, 429, "{\"error\":{\"message\":\"busy\",\"type\":\"rate_limit_error\"}}",
                        Map.of("Retry-After", "0"));
                return;
            }
            bodies.add(body);
            String id = "chatcmpl-" + tag + "-" + ids.incrementAndGet();
            int n = body.path("n").asInt();
            ObjectNode response = json.createObjectNode().put("id", id).put("object", "chat.completion")
                    .put("created", 0).put("model", "m");
            ArrayNode choices = response.putArray("choices");
            for (int i = 0; i < n; i++) {
                String answer = i % 2 == 0 ? "\\boxed{" + body.path("reference_answer").asText() + "}" : "\\boxed{0}";
                topic.publish(id + "-" + i, json.writeValueAsBytes(trajectory(id + "-" + i, body, answer, i == 1)));
                choices.addObject().put("index", i).put("finish_reason", "stop").putObject("message")
                        .put("role", "assistant").put("content", answer);
            }
            response.putObject("usage").put("prompt_tokens", 4).put("completion_tokens", 3 * n)
                    .put("total_tokens", 4 + 3 * n);
            reply(ex, 200, json.writeValueAsString(response), Map.of());
        }

        private ObjectNode trajectory(String id, JsonNode request, String answer, boolean missingLogprob) {
            ObjectNode t = json.createObjectNode();
            t.put("id", id).put("created_at", "2026-11-30T00:00:00Z").put("source", "rollout").put("model", "m")
                    .put("policy_version", 4).put("problem_id", request.path("problem_id").asText())
                    .put("reference_answer", request.path("reference_answer").asText());
            t.set("messages", request.path("messages"));
            t.putArray("prompt_token_ids").add(1).add(2).add(3).add(4);
            ObjectNode turn = t.putArray("turns").addObject();
            turn.put("completion_text", answer).put("finish_reason", "stop");
            turn.putArray("completion_token_ids").add(5).add(6).add(7);
            ArrayNode lps = turn.putArray("completion_logprobs").add(-0.5);
            if (missingLogprob) {
                lps.addNull();
            } else {
                lps.add(-0.7);
            }
            lps.add(-0.2);
            turn.putObject("tool_call").put("name", "code_interpreter").put("code", "print(1)");
            ObjectNode result = turn.putObject("tool_result").put("status", "ok").put("text", "1\n")
                    .put("duration_ms", 5);
            result.putArray("token_ids").add(8).add(9);
            t.put("final_answer", answer).put("finish_reason", "stop");
            t.putObject("usage").put("prompt_tokens", 4).put("completion_tokens", 3).put("tool_calls", 1)
                    .put("format_errors", 0);
            return t;
        }

        private static void reply(HttpExchange ex, int status, String body, Map<String, String> headers)
                throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
