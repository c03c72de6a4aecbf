package ai.aster.model.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.model.InternalAuth;
import ai.aster.model.ModelFolderResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible API over real HTTP, the real engine and a tiny model made by ModelInit. */
@QuarkusTest
@QuarkusTestResource(value = ModelFolderResource.class, restrictToAnnotatedClass = true)
class CompletionApiTest {

    @BeforeEach
    void sendToken() {
        InternalAuth.sendToken();
    }

    static JsonPath complete(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/v1/completions")
                .then().statusCode(200).extract().jsonPath();
    }

    static Map<String, Object> body(Object prompt, int maxTokens, Object... more) {
        Map<String, Object> body = new HashMap<>();
        body.put("prompt", prompt);
        body.put("max_tokens", maxTokens);
        body.put("return_token_ids", true);
        body.put("ignore_eos", true);
        for (int i = 0; i < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    @Test
    void modelsListsTheServedModel() {
        given().when().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data[0].id", equalTo("base"))
                .body("data[0].max_model_len", equalTo(4096))
                .body("data[0].tool_protocol", equalTo("hermes"))
                .body("data[0].policy_version", greaterThanOrEqualTo(1))
                .body("data[0].device", equalTo("cpu"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks[0].data.device", equalTo("cpu"));
    }

    @Test
    void greedyDecodingIsDeterministic() {
        JsonPath a = complete(body("The answer is", 12, "temperature", 0));
        JsonPath b = complete(body("The answer is", 12, "temperature", 0));
        assertEquals(a.getList("choices[0].token_ids"), b.getList("choices[0].token_ids"));
        assertEquals(12, a.getList("choices[0].token_ids").size());
        assertEquals("length", a.getString("choices[0].finish_reason"));
        assertEquals(a.getString("choices[0].text"), b.getString("choices[0].text"));
        assertTrue(a.getLong("policy_version") >= 1);
        assertEquals(12, a.getInt("usage.completion_tokens"));
        assertEquals(a.getList("prompt_token_ids").size(), a.getInt("usage.prompt_tokens"));
    }

    @Test
    void seededSamplingIsReproducible() {
        JsonPath a = complete(body("Let x be", 16, "temperature", 1.0, "seed", 1234));
        JsonPath b = complete(body("Let x be", 16, "temperature", 1.0, "seed", 1234));
        JsonPath c = complete(body("Let x be", 16, "temperature", 1.0, "seed", 4321));
        assertEquals(a.getList("choices[0].token_ids"), b.getList("choices[0].token_ids"));
        assertNotEquals(a.getList("choices[0].token_ids"), c.getList("choices[0].token_ids"));
    }

    @Test
    void aTokenIdPromptGivesTheSameCompletionAsItsText() {
        List<Integer> ids = given().contentType(ContentType.JSON).body(Map.of("prompt", "Compute 2+2."))
                .post("/v1/tokenize").then().statusCode(200).extract().jsonPath().getList("tokens", Integer.class);
        JsonPath fromText = complete(body("Compute 2+2.", 8, "temperature", 0));
        JsonPath fromIds = complete(body(ids, 8, "temperature", 0));
        assertEquals(fromText.getList("choices[0].token_ids"), fromIds.getList("choices[0].token_ids"));
        assertEquals(ids, fromIds.getList("prompt_token_ids", Integer.class));
    }

    @Test
    void stopStringsEndTheChoiceAndAreCutFromTheText() {
        // seeded sampling: deterministic, and unlike greedy decoding of a random model it does not repeat one token
        JsonPath full = complete(body("Once upon a time", 40, "temperature", 1.0, "seed", 3));
        List<Integer> ids = full.getList("choices[0].token_ids", Integer.class);
        String text = full.getString("choices[0].text");
        // a stop string that straddles two tokens: the last character of one and the first of the next
        String stop = straddlingStop(ids, text);
        int at = text.indexOf(stop);

        JsonPath cut = complete(body("Once upon a time", 40, "temperature", 1.0, "seed", 3, "stop", List.of(stop)));
        assertEquals("stop", cut.getString("choices[0].finish_reason"));
        assertEquals(stop, cut.getString("choices[0].stop_reason"));
        assertEquals(text.substring(0, at), cut.getString("choices[0].text"));

        JsonPath kept = complete(body("Once upon a time", 40, "temperature", 1.0, "seed", 3, "stop", List.of(stop),
                "include_stop_str_in_output", true));
        assertEquals(text.substring(0, at + stop.length()), kept.getString("choices[0].text"));
        List<Integer> keptIds = kept.getList("choices[0].token_ids", Integer.class);
        // the token ids are those the model produced, up to the one that completed the stop string
        assertEquals(ids.subList(0, keptIds.size()), keptIds);
        String decoded = detokenize(keptIds);
        assertTrue(decoded.contains(stop) && !detokenize(keptIds.subList(0, keptIds.size() - 1)).contains(stop));
        assertEquals(kept.getList("choices[0].token_ids"), cut.getList("choices[0].token_ids"));
    }

    @Test
    void stopTokenIdsEndTheChoiceWithoutText() {
        JsonPath full = complete(body("Let f be a function", 30, "temperature", 1.0, "seed", 21));
        List<Integer> ids = full.getList("choices[0].token_ids", Integer.class);
        int at = 4;
        while (ids.indexOf(ids.get(at)) != at) {
            at++; // the first token that did not occur earlier
        }
        int stopId = ids.get(at);
        JsonPath cut = complete(body("Let f be a function", 30, "temperature", 1.0, "seed", 21,
                "stop_token_ids", List.of(stopId)));
        assertEquals("stop", cut.getString("choices[0].finish_reason"));
        assertEquals(stopId, cut.getInt("choices[0].stop_reason"));
        assertEquals(ids.subList(0, at + 1), cut.getList("choices[0].token_ids", Integer.class));
        assertEquals(detokenize(ids.subList(0, at)), cut.getString("choices[0].text"));
    }

    @Test
    void chatStreamsDeltasThenDone() {
        Map<String, Object> request = Map.of("messages", List.of(Map.of("role", "user", "content", "Hi")),
                "max_tokens", 5, "temperature", 0, "stream", true, "stream_options", Map.of("include_usage", true));
        String sse = given().contentType(ContentType.JSON).body(request)
                .when().post("/v1/chat/completions")
                .then().statusCode(200).contentType(containsString("text/event-stream")).extract().asString();
        List<JsonPath> events = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                events.add(JsonPath.from(line.substring(6)));
            }
        }
        assertTrue(sse.strip().endsWith("data: [DONE]"), sse);
        assertEquals("chat.completion.chunk", events.get(0).getString("object"));
        assertEquals("assistant", events.get(0).getString("choices[0].delta.role"));
        assertEquals(null, events.get(1).getString("choices[0].delta.role"));
        JsonPath usage = events.get(events.size() - 1);
        assertTrue(usage.getList("choices").isEmpty());
        assertEquals(events.size() - 1, usage.getInt("usage.completion_tokens"));
    }

    @Test
    void tokenizeCanDeclareToolsAndContinueTheLastMessage() {
        Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "code_interpreter",
                "description", "Runs Python", "parameters", Map.of("type", "object")));
        Map<String, Object> request = Map.of("messages", List.of(
                Map.of("role", "user", "content", "Compute 3^5."),
                Map.of("role", "assistant", "content", "Let me compute")),
                "tools", List.of(tool), "continue_final_message", true);
        String prompt = given().contentType(ContentType.JSON).body(request)
                .post("/v1/tokenize").then().statusCode(200).extract().jsonPath().getString("prompt");
        assertTrue(prompt.contains("code_interpreter"), prompt);
        assertTrue(prompt.endsWith("Let me compute"), prompt);
    }

    /** Finds adjacent tokens i, i+1 whose texts are both non-empty and returns the 2 characters around the seam. */
    private static String straddlingStop(List<Integer> ids, String text) {
        for (int i = 3; i < ids.size() - 2; i++) {
            int before = detokenize(ids.subList(0, i)).length();
            int after = detokenize(ids.subList(0, i + 1)).length();
            int next = detokenize(ids.subList(0, i + 2)).length();
            if (before > 0 && after > before && next > after && text.startsWith(detokenize(ids.subList(0, i + 2)))) {
                String stop = text.substring(after - 1, after + 1);
                if (text.indexOf(stop) == after - 1 && !stop.isBlank()) {
                    return stop;
                }
            }
        }
        throw new AssertionError("no two adjacent text tokens in: " + text);
    }

    static String detokenize(List<Integer> ids) {
        return given().contentType(ContentType.JSON).body(Map.of("tokens", ids))
                .post("/v1/detokenize").then().statusCode(200).extract().jsonPath().getString("prompt");
    }

    @Test
    void nChoicesAreReturnedAndCounted() {
        JsonPath r = complete(body("Prove that", 6, "n", 3, "temperature", 1.0, "seed", 9));
        assertEquals(3, r.getList("choices").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, r.getInt("choices[" + i + "].index"));
            assertEquals(6, r.getList("choices[" + i + "].token_ids").size());
        }
        assertEquals(18, r.getInt("usage.completion_tokens"));
    }

    @Test
    void theConcatenatedStreamEqualsTheNonStreamedResult() {
        Map<String, Object> request = body("In a triangle", 20, "temperature", 0.8, "seed", 77, "logprobs", 2,
                "stop", List.of("zz"));
        JsonPath whole = complete(request);

        Map<String, Object> streamed = new HashMap<>(request);
        streamed.put("stream", true);
        streamed.put("stream_options", Map.of("include_usage", true));
        String sse = given().contentType(ContentType.JSON).body(streamed)
                .when().post("/v1/completions")
                .then().statusCode(200).contentType(containsString("text/event-stream")).extract().asString();
        List<String> events = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ")) {
                events.add(line.substring(6));
            }
        }
        assertEquals("[DONE]", events.get(events.size() - 1));
        StringBuilder text = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        String finish = null;
        JsonPath usage = null;
        for (String event : events.subList(0, events.size() - 1)) {
            JsonPath chunk = JsonPath.from(event);
            assertEquals("text_completion", chunk.getString("object"));
            assertTrue(chunk.getLong("policy_version") >= 1);
            if (chunk.getList("choices").isEmpty()) {
                usage = chunk;
                continue;
            }
            text.append(chunk.getString("choices[0].text"));
            ids.addAll(chunk.getList("choices[0].token_ids", Integer.class));
            logprobs.addAll(chunk.getList("choices[0].logprobs.token_logprobs", Float.class));
            if (chunk.getString("choices[0].finish_reason") != null) {
                finish = chunk.getString("choices[0].finish_reason");
            }
        }
        assertEquals(whole.getString("choices[0].text"), text.toString());
        assertEquals(whole.getList("choices[0].token_ids", Integer.class), ids);
        List<Float> expected = whole.getList("choices[0].logprobs.token_logprobs", Float.class);
        assertEquals(expected.size(), logprobs.size());
        for (int i = 0; i < expected.size(); i++) {
            // the second request reuses the first one's KV entries: equal up to float rounding
            assertEquals(expected.get(i), logprobs.get(i), 1e-4);
        }
        assertEquals(whole.getString("choices[0].finish_reason"), finish);
        assertTrue(usage != null, "a usage chunk before [DONE]");
        assertEquals(whole.getInt("usage.completion_tokens"), usage.getInt("usage.completion_tokens"));
        assertEquals(whole.getInt("usage.prompt_tokens"), usage.getInt("usage.prompt_tokens"));
    }

    @Test
    void logprobsListTheChosenTokenAndTheTopAlternatives() {
        JsonPath r = complete(body("Let n be", 5, "temperature", 0, "logprobs", 3));
        List<Float> values = r.getList("choices[0].logprobs.token_logprobs", Float.class);
        assertEquals(5, values.size());
        assertEquals(5, r.getList("choices[0].logprobs.tokens").size());
        values.forEach(v -> assertTrue(v <= 0, "a log-probability is <= 0"));
        List<Map<String, Float>> top = r.getList("choices[0].logprobs.top_logprobs");
        assertEquals(5, top.size());
        for (int i = 0; i < top.size(); i++) {
            assertTrue(top.get(i).size() >= 1 && top.get(i).size() <= 3);
            float best = top.get(i).values().stream().map(Number::floatValue).max(Float::compare).orElseThrow();
            assertEquals(best, values.get(i), 1e-4, "greedy picks the most likely token");
        }
    }

    @Test
    void tokenIdsRoundTripThroughTokenizeAndDetokenize() {
        String text = "Solve x^2 - 5x + 6 = 0. <tool_call>print(1)</tool_call> ∑ é";
        JsonPath t = given().contentType(ContentType.JSON).body(Map.of("prompt", text))
                .post("/v1/tokenize").then().statusCode(200)
                .body("max_model_len", equalTo(4096)).extract().jsonPath();
        List<Integer> ids = t.getList("tokens", Integer.class);
        assertEquals(ids.size(), t.getInt("count"));
        assertEquals(text, detokenize(ids));
    }

    @Test
    void tokenizeRendersMessagesThroughTheChatTemplate() {
        Map<String, Object> request = Map.of("messages", List.of(
                Map.of("role", "system", "content", "You are a helpful assistant."),
                Map.of("role", "user", "content", "What is 2+2?")),
                "add_generation_prompt", true);
        JsonPath t = given().contentType(ContentType.JSON).body(request)
                .post("/v1/tokenize").then().statusCode(200).extract().jsonPath();
        String prompt = t.getString("prompt");
        assertTrue(prompt.contains("<|im_start|>user\nWhat is 2+2?<|im_end|>"), prompt);
        assertTrue(prompt.endsWith("<|im_start|>assistant\n"), prompt);
        assertEquals(prompt, detokenize(t.getList("tokens", Integer.class)));
    }

    @Test
    void chatCompletionsAnswerThroughTheTemplate() {
        Map<String, Object> request = Map.of("messages", List.of(Map.of("role", "user", "content", "Hi")),
                "max_tokens", 6, "temperature", 0);
        given().contentType(ContentType.JSON).body(request)
                .when().post("/v1/chat/completions")
                .then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].finish_reason", notNullValue())
                .body("usage.completion_tokens", lessThanOrEqualTo(6))
                .body("policy_version", greaterThanOrEqualTo(1));
    }

    @Test
    void concurrentGreedyRequestsGiveTheSameTokensAsAlone() throws Exception {
        List<Map<String, Object>> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(body("Problem " + i + ": find all primes below " + (10 * i + 7), 8 + i, "temperature", 0));
        }
        List<List<Object>> alone = new ArrayList<>();
        for (Map<String, Object> r : requests) {
            alone.add(complete(r).getList("choices[0].token_ids"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(requests.size());
        try {
            List<Future<List<Object>>> together = new ArrayList<>();
            for (Map<String, Object> r : requests) {
                together.add(pool.submit(() -> complete(r).getList("choices[0].token_ids")));
            }
            for (int i = 0; i < requests.size(); i++) {
                assertEquals(alone.get(i), together.get(i).get(), "request " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badInputsAreRefusedWithAnOpenAiError() {
        refused(Map.of("max_tokens", 5), "prompt");
        refused(body("hi", 5000), "max_tokens")
                .body("error.message", containsString("maximum context length is 4096"));
        refused(body("hi", 0), "max_tokens");
        refused(body("hi", 5, "temperature", -1), "temperature");
        refused(body("hi", 5, "top_p", 0), "top_p");
        refused(body("hi", 5, "n", 0), "n");
        refused(body("hi", 5, "logprobs", 50), "logprobs");
        refused(body(List.of(1, 2, 999999), 5), "prompt");
        refused(body(List.of(), 5), "prompt");
        refused(body("hi", 5, "stop_token_ids", List.of(-3)), "stop_token_ids");
        given().contentType(ContentType.JSON).body("{\"prompt\": \"hi\", \"max_tokens\": ")
                .when().post("/v1/completions")
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", notNullValue());
        given().contentType(ContentType.JSON).body(Map.of("tokens", List.of(-1)))
                .when().post("/v1/detokenize")
                .then().statusCode(400).body("error.param", equalTo("tokens"));
        given().contentType(ContentType.JSON).body(Map.of("messages", List.of()))
                .when().post("/v1/chat/completions")
                .then().statusCode(400).body("error.type", equalTo("invalid_request_error"));
        given().when().get("/v1/completions")
                .then().statusCode(405).body("error.message", notNullValue());
        given().contentType(ContentType.JSON).body(Map.of("prompt", "hi"))
                .when().post("/v1/nothing-here")
                .then().statusCode(404).body("error.code", equalTo("not_found"));
    }

    private static io.restassured.response.ValidatableResponse refused(Map<String, Object> body, String param) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/v1/completions")
                .then().statusCode(400)
                .contentType(containsString("application/json"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param))
                .body("error.message", notNullValue());
    }

    @Test
    void metricsAreExported() {
        complete(body("metrics", 3, "temperature", 0));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : List.of("gen_ai_server_time_to_first_token_seconds", "gen_ai_server_time_per_output_token",
                "gen_ai_server_request_duration", "aster_model_requests_running", "aster_model_requests_waiting",
                "aster_model_batch_size", "aster_model_tokens_generated", "aster_model_prefix_cache_hit_tokens",
                "aster_model_preemptions_total", "aster_model_kv_cache_used_bytes",
                "aster_model_kv_cache_budget_bytes")) {
            assertTrue(metrics.contains(name), name + " is exported");
        }
    }
}
