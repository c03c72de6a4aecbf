package ai.aster.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.support.SandboxServiceResource;
import ai.aster.gateway.support.ScriptedModelResource;
import ai.aster.gateway.support.ScriptedModelServer;
import ai.aster.gateway.support.Scripts;
import ai.aster.gateway.support.TestTokenizer;
import ai.aster.modeling.ChatTemplate;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.tools.CodeInterpreterTool;
import ai.aster.protocol.trajectory.Trajectory;
import ai.aster.protocol.trajectory.Turn;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.time.Duration;
import org.awaitility.Awaitility;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API through the official OpenAI Java SDK, against the scripted model and the real sandbox-service. */
@QuarkusTest
@WithTestResource(ScriptedModelResource.class)
@WithTestResource(SandboxServiceResource.class)
class ChatCompletionsApiTest {

    ScriptedModelServer model;

    @Inject
    @Any
    InMemoryConnector connector;

    @TestHTTPResource("/v1")
    URL url;

    OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder().baseUrl(url.toString()).apiKey("test-key").maxRetries(0).build();
    }

    static JsonNode json(JsonValue value) {
        assertNotNull(value, "extension field missing");
        return value.convert(JsonNode.class);
    }

    private static ChatCompletionCreateParams.Builder ask(String script, String question) {
        return ChatCompletionCreateParams.builder().model("scripted")
                .addUserMessage("[[script:" + script + "]] " + question);
    }

    @Test
    void runsTheToolLoopServerSideWithSessionState() {
        model.script("stateful", Scripts::stateful);
        ChatCompletion completion = client.chat().completions().create(ask("stateful", "What is 2+3?").seed(1).build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertEquals("stop", choice.finishReason().toString());
        assertEquals("The answer is \\boxed{5} (seed 1).", choice.message().content().orElseThrow());
        String reasoning = choice.message()._additionalProperties().get("reasoning_content").asStringOrThrow();
        assertTrue(reasoning.contains("I will compute with Python.") && reasoning.contains("Let me compute."),
                reasoning);
        assertFalse(reasoning.contains("<tool_call>"), reasoning);
        JsonNode trace = json(choice.message()._additionalProperties().get("tool_trace"));
        assertEquals(2, trace.size());
        assertEquals("ok", trace.get(0).get("status").asText());
        assertEquals("5\n", trace.get(0).get("output").asText());
        // the second call read x from the first: the session kept it
        assertEquals("50\n", trace.get(1).get("output").asText());
        assertEquals("print(x * 10)", trace.get(1).get("code").asText());
        assertEquals(2, json(completion.usage().orElseThrow()._additionalProperties().get("tool_calls")).asInt());
        assertEquals(ScriptedModelServer.POLICY_VERSION,
                json(completion._additionalProperties().get("policy_version")).asLong());
    }

    @Test
    void theModelConditionsOnExactlyItsOwnTokensPlusTheTemplatesToolTokens() {
        model.script("exact", Scripts::stateful);
        client.chat().completions().create(ask("exact", "What is 2+3?").seed(3).build());

        List<ScriptedModelServer.Call> calls = model.calls("exact");
        assertEquals(3, calls.size());
        // every call continues the previous sequence: generated tokens are never re-tokenized
        for (int i = 1; i < calls.size(); i++) {
            List<Integer> previous = new ArrayList<>(calls.get(i - 1).promptIds());
            previous.addAll(calls.get(i - 1).completionIds());
            assertEquals(previous, calls.get(i).promptIds().subList(0, previous.size()));
        }
        // and the whole sequence equals a full re-render of the conversation by the chat template
        List<ChatMessage> conversation = List.of(
                ChatMessage.user("[[script:exact]] What is 2+3?"),
                ChatMessage.assistant(calls.get(0).completionText()), ChatMessage.tool("c0", "5\n"),
                ChatMessage.assistant(calls.get(1).completionText()), ChatMessage.tool("c1", "50\n"));
        String rendered = ChatTemplate.builtIn().render(conversation, List.of(CodeInterpreterTool.DEFINITION), true);
        assertEquals(TestTokenizer.encode(rendered), calls.get(2).promptIds());
    }

    @Test
    void aStopStringTheModelServiceDropsIsPutBackIntoTheSequence() {
        InMemorySink<Trajectory> sink = connector.sink("trajectories");
        sink.clear();
        model.script("dropped", Scripts::stateful);
        model.dropStopStrings(true);
        try {
            ChatCompletion completion = client.chat().completions().create(ask("dropped", "What is 2+3?").build());
            Trajectory trajectory = published(sink, completion.id());
            // the put-back stop string's tokens were forced, not sampled here: their log-probs are unknown (null)
            for (int t = 0; t < 2; t++) {
                Turn turn = trajectory.turns().get(t);
                int appended = TestTokenizer.encode("</tool_call>").size();
                int n = turn.completionTokenIds().size();
                assertEquals(n, turn.completionLogprobs().size());
                for (int i = 0; i < n; i++) {
                    if (i < n - appended) {
                        assertEquals(ScriptedModelServer.logprob(i), turn.completionLogprobs().get(i), 1e-12);
                    } else {
                        assertNull(turn.completionLogprobs().get(i), "forced token " + i + " has a made-up log-prob");
                    }
                }
                assertFalse(turn.logprobsComplete());
            }
            assertTrue(trajectory.turns().get(2).logprobsComplete());
            assertEquals("The answer is \\boxed{5} (seed null).",
                    completion.choices().get(0).message().content().orElseThrow());
        } finally {
            model.dropStopStrings(false);
        }
        List<ScriptedModelServer.Call> calls = model.calls("dropped");
        assertEquals(3, calls.size());
        assertFalse(calls.get(0).completionText().endsWith("</tool_call>"));
        List<ChatMessage> conversation = List.of(
                ChatMessage.user("[[script:dropped]] What is 2+3?"),
                ChatMessage.assistant(calls.get(0).completionText() + "</tool_call>"), ChatMessage.tool("c0", "5\n"),
                ChatMessage.assistant(calls.get(1).completionText() + "</tool_call>"), ChatMessage.tool("c1", "50\n"));
        String rendered = ChatTemplate.builtIn().render(conversation, List.of(CodeInterpreterTool.DEFINITION), true);
        assertEquals(TestTokenizer.encode(rendered), calls.get(2).promptIds());
    }

    @Test
    void streamingAndNonStreamingGiveTheSameMessage() {
        model.script("same", Scripts::stateful);
        ChatCompletion whole = client.chat().completions().create(ask("same", "2+3?").seed(42).build());

        StringBuilder content = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        List<String> outputs = new ArrayList<>();
        List<String> finishReasons = new ArrayList<>();
        String role = null;
        Long toolCalls = null;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ask("same", "2+3?").seed(42)
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                if (chunk.usage().isPresent()) {
                    assertTrue(chunk.choices().isEmpty());
                    toolCalls = json(chunk.usage().get()._additionalProperties().get("tool_calls")).asLong();
                }
                for (ChatCompletionChunk.Choice c : chunk.choices()) {
                    if (role == null && c.delta().role().isPresent()) {
                        role = c.delta().role().get().toString();
                    }
                    c.delta().content().ifPresent(content::append);
                    JsonValue r = c.delta()._additionalProperties().get("reasoning_content");
                    if (r != null) {
                        reasoning.append(r.asStringOrThrow());
                    }
                    JsonValue t = c.delta()._additionalProperties().get("tool_trace");
                    if (t != null) {
                        json(t).forEach(e -> outputs.add(e.get("output").asText()));
                    }
                    c.finishReason().ifPresent(f -> finishReasons.add(f.toString()));
                }
            }
        }
        ChatCompletion.Choice choice = whole.choices().get(0);
        assertEquals("assistant", role);
        assertEquals(choice.message().content().orElseThrow(), content.toString());
        assertEquals(choice.message()._additionalProperties().get("reasoning_content").asStringOrThrow(),
                reasoning.toString());
        assertEquals(List.of("5\n", "50\n"), outputs);
        assertEquals(List.of("stop"), finishReasons);
        assertEquals(2L, toolCalls);
    }

    @Test
    void logprobsTheModelServiceDoesNotReportAreNullAndTheTurnSaysSo() {
        InMemorySink<Trajectory> sink = connector.sink("trajectories");
        sink.clear();
        model.script("nolp", Scripts::stateful);
        model.omitLogprobs(true);
        try {
            ChatCompletion completion = client.chat().completions().create(ask("nolp", "What is 2+3?").build());
            Trajectory trajectory = published(sink, completion.id());
            assertEquals(3, trajectory.turns().size());
            for (Turn turn : trajectory.turns()) {
                assertEquals(turn.completionTokenIds().size(), turn.completionLogprobs().size());
                assertTrue(turn.completionLogprobs().stream().allMatch(lp -> lp == null), "never 0.0 for unknown");
                assertFalse(turn.logprobsComplete());
            }
        } finally {
            model.omitLogprobs(false);
        }
    }

    @Test
    void toolTraceIsAlwaysAnArrayWhenTheInterpreterIsActive() {
        model.script("plain", turn -> Scripts.think("Easy.") + "It is \\boxed{4}.");
        ChatCompletion completion = client.chat().completions().create(ask("plain", "2+2?").build());
        JsonNode trace = json(completion.choices().get(0).message()._additionalProperties().get("tool_trace"));
        assertTrue(trace.isArray());
        assertEquals(0, trace.size());
        // streaming: the opening delta carries the empty trace, so the deltas still add up to the whole message
        List<JsonNode> traces = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ask("plain", "2+2?").build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> {
                JsonValue t = c.delta()._additionalProperties().get("tool_trace");
                if (t != null) {
                    traces.add(json(t));
                }
            }));
        }
        assertEquals(1, traces.size());
        assertEquals(0, traces.get(0).size());
    }

    @Test
    void backslashesInModelWrittenCodeReachTheSandboxUnchanged() {
        // the model writes the regex and the path without JSON-escaping their backslashes (invalid escapes \d, \U)
        String raw = "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": "
                + "\"import re\\nprint(re.findall(r'\\d+', 'a12b345'), len(r'C:\\Users'))\"}}\n</tool_call>";
        model.script("regex", turn -> turn.index() == 0 ? raw : "Found " + turn.lastResult().strip() + ".");
        ChatCompletion completion = client.chat().completions().create(ask("regex", "digits?").build());
        JsonNode trace = json(completion.choices().get(0).message()._additionalProperties().get("tool_trace"));
        assertEquals("import re\nprint(re.findall(r'\\d+', 'a12b345'), len(r'C:\\Users'))",
                trace.get(0).get("code").asText());
        assertEquals("['12', '345'] 8\n", trace.get(0).get("output").asText());
    }

    private static Trajectory published(InMemorySink<Trajectory> sink, String id) {
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> sink.received().stream().anyMatch(m -> id.equals(m.getPayload().id())));
        return sink.received().stream().map(m -> m.getPayload()).filter(t -> id.equals(t.id())).findFirst()
                .orElseThrow();
    }

    @Test
    void malformedCallsAreAnsweredAndCountedNeverFatal() {
        model.script("malformed", turn -> switch (turn.index()) {
            case 0 -> "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": }\n</tool_call>";
            case 1 -> "<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"q\": \"x\"}}\n</tool_call>";
            case 2 -> "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {}}\n</tool_call>";
            default -> "I read: " + String.join(" | ", turn.toolResults()) + " \\boxed{1}";
        });
        ChatCompletion completion = client.chat().completions().create(ask("malformed", "?").build());
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertEquals("stop", choice.finishReason().toString());
        String answer = choice.message().content().orElseThrow();
        assertTrue(answer.contains("Tool call error: the tool call is not valid JSON"), answer);
        assertTrue(answer.contains("Tool call error: unknown tool 'web_search'"), answer);
        assertTrue(answer.contains("has no \"code\" argument"), answer);
        var usage = completion.usage().orElseThrow()._additionalProperties();
        assertEquals(3, json(usage.get("format_errors")).asInt());
        assertEquals(0, json(usage.get("tool_calls")).asInt());
        JsonNode trace = json(choice.message()._additionalProperties().get("tool_trace"));
        assertEquals(3, trace.size());
        trace.forEach(e -> assertEquals("format_error", e.get("status").asText()));
    }

    @Test
    void neverEndingToolUseStopsAtMaxToolCalls() {
        model.script("forever", turn -> "Again.\n" + Scripts.hermesCall("print(" + turn.index() + ")"));
        ChatCompletion completion = client.chat().completions().create(ask("forever", "loop")
                .putAdditionalBodyProperty("max_tool_calls", JsonValue.from(3)).build());
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertEquals("max_tool_calls", choice.finishReason().toString());
        assertEquals(3, json(choice.message()._additionalProperties().get("tool_trace")).size());
        // three executed, the fourth call was not run
        assertEquals(4, model.calls("forever").size());
    }

    @Test
    void theCompletionTokenBudgetEndsWithLength() {
        model.script("long", turn -> "word ".repeat(200));
        ChatCompletion completion = client.chat().completions().create(ask("long", "talk").maxCompletionTokens(25)
                .build());
        assertEquals("length", completion.choices().get(0).finishReason().toString());
        assertEquals(25L, completion.usage().orElseThrow().completionTokens());
    }

    @Test
    void nTrajectoriesRunWithTheirOwnSeeds() {
        model.script("many", Scripts::stateful);
        ChatCompletion completion = client.chat().completions().create(ask("many", "2+3?").n(3).seed(100).build());
        assertEquals(3, completion.choices().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, completion.choices().get(i).index());
            assertEquals("The answer is \\boxed{5} (seed " + (100 + i) + ").",
                    completion.choices().get(i).message().content().orElseThrow());
        }
        assertEquals(6, json(completion.usage().orElseThrow()._additionalProperties().get("tool_calls")).asInt());
    }

    @Test
    void clientDeclaredFunctionsComeBackAsToolCallsAndTheConversationContinues() {
        model.script("weather", turn -> turn.index() == 0
                ? "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"
                : "It is " + turn.lastResult() + " in Paris.");
        ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather").parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build()).build()).build();
        ChatCompletionCreateParams first = ask("weather", "Weather in Paris?").addTool(weather).build();
        ChatCompletion completion = client.chat().completions().create(first);
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertEquals("tool_calls", choice.finishReason().toString());
        ChatCompletionMessageToolCall call = choice.message().toolCalls().orElseThrow().get(0);
        assertEquals("get_weather", call.asFunction().function().name());
        assertEquals("Paris", call.asFunction().function().arguments().contains("Paris") ? "Paris" : null);
        assertTrue(choice.message()._additionalProperties().get("tool_trace") == null);

        ChatCompletion answer = client.chat().completions().create(first.toBuilder()
                .addMessage(ChatCompletionAssistantMessageParam.builder().addToolCall(call).build())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.asFunction().id())
                        .content("sunny").build())
                .build());
        assertEquals("stop", answer.choices().get(0).finishReason().toString());
        assertEquals("It is sunny in Paris.", answer.choices().get(0).message().content().orElseThrow());
    }

    @Test
    void theDeveloperMessageIsTheSystemPrompt() {
        model.script("developer", turn -> "ok");
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("scripted").addDeveloperMessage("Answer briefly.")
                .addUserMessage("[[script:developer]] hi").build());
        assertEquals("ok", completion.choices().get(0).message().content().orElseThrow());
        String prompt = TestTokenizer.decode(model.calls("developer").get(0).promptIds());
        assertTrue(prompt.startsWith("<|im_start|>system\nAnswer briefly.\n\n# Tools"), prompt);
    }

    @Test
    void modelsAreListed() {
        var models = client.models().list().data();
        assertEquals("scripted", models.get(0).id());
        assertNotNull(models.get(0)._additionalProperties().get("tool_protocol"));
    }
}
