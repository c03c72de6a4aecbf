package ai.aster.model.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.model.FakeUpstreamResource;
import ai.aster.model.InternalAuth;
import ai.aster.model.TestModels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Backend {@code openai} against an in-test upstream that answers in the shapes real engines use. */
@QuarkusTest
@TestProfile(UpstreamBackendApiTest.Upstream.class)
@QuarkusTestResource(value = FakeUpstreamResource.class, restrictToAnnotatedClass = true)
class UpstreamBackendApiTest {

    @BeforeEach
    void sendToken() {
        InternalAuth.sendToken();
    }

    public static class Upstream implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // the local tokenizer of the test model counts usage the upstream leaves out
            return Map.of("aster.model.backend", "openai", "aster.model.path", TestModels.base().toString(),
                    "aster.model.initial-policy-version", "17", "aster.model.id", "served-name");
        }
    }

    @ConfigProperty(name = "aster.model.upstream.url")
    String upstreamUrl;

    /** What the fake upstream received last. */
    JsonPath forwarded() {
        return given().baseUri(upstreamUrl).get("/_test/last-request").then().statusCode(200).extract().jsonPath();
    }

    static List<JsonPath> stream(Map<String, Object> body) {
        String sse = given().contentType(ContentType.JSON).body(body).post("/v1/completions")
                .then().statusCode(200).contentType(containsString("text/event-stream")).extract().asString();
        List<JsonPath> events = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                events.add(JsonPath.from(line.substring(6)));
            }
        }
        assertTrue(sse.contains("data: [DONE]") || events.get(events.size() - 1).get("error") != null, sse);
        return events;
    }

    @Test
    void modelsComeFromTheUpstream() {
        given().get("/v1/models").then().statusCode(200)
                .body("data[0].id", equalTo("served-name"))
                .body("data[0].max_model_len", equalTo(8192))
                .body("data[0].policy_version", equalTo(17))
                .body("data[0].device", equalTo("upstream"));
    }

    @Test
    void aJsonAnswerIsNormalised() {
        JsonPath r = given().contentType(ContentType.JSON).body(Map.of("prompt", "What is 2+2?", "max_tokens", 8))
                .post("/v1/completions").then().statusCode(200).extract().jsonPath();
        assertEquals("The answer is 4.", r.getString("choices[0].text"));
        assertEquals("stop", r.getString("choices[0].finish_reason"));
        assertEquals(17, r.getInt("policy_version"));
        assertEquals("served-name", r.getString("model"));
        // no usage upstream: counted with the local tokenizer
        int expected = given().contentType(ContentType.JSON).body(Map.of("prompt", "The answer is 4."))
                .post("/v1/tokenize").then().statusCode(200).extract().jsonPath().getInt("count");
        assertEquals(expected, r.getInt("usage.completion_tokens"));
        assertTrue(r.getInt("usage.prompt_tokens") > 0);
        JsonPath forwarded = forwarded();
        assertEquals("upstream-model", forwarded.getString("model"));
        assertEquals(false, forwarded.getBoolean("stream"));
    }

    @Test
    void anSseStreamIsNormalisedAndGetsAUsageChunk() {
        List<JsonPath> events = stream(Map.of("prompt", "sse", "max_tokens", 8, "stream", true,
                "stream_options", Map.of("include_usage", true)));
        assertEquals(3, events.size());
        assertEquals("Hello", events.get(0).getString("choices[0].text"));
        assertEquals("stop", events.get(1).getString("choices[0].finish_reason"), "eos means stop");
        events.forEach(e -> assertEquals(17, e.getInt("policy_version")));
        assertTrue(events.get(2).getList("choices").isEmpty());
        assertTrue(events.get(2).getInt("usage.completion_tokens") > 0, "counted locally");
        assertTrue(forwarded().getBoolean("stream_options.include_usage"));
    }

    @Test
    void aJsonLinesStreamIsNormalised() {
        List<JsonPath> events = stream(Map.of("prompt", "jsonl", "max_tokens", 2, "stream", true,
                "stream_options", Map.of("include_usage", true)));
        assertEquals(3, events.size());
        assertEquals("one", events.get(0).getString("choices[0].text"));
        assertEquals("length", events.get(1).getString("choices[0].finish_reason"), "max_tokens means length");
        assertEquals(2, events.get(2).getInt("usage.completion_tokens"), "the upstream's own usage");
        assertEquals(3, events.get(2).getInt("usage.prompt_tokens"));
    }

    @Test
    void withoutIncludeUsageNoUsageChunkIsSent() {
        List<JsonPath> events = stream(Map.of("prompt", "jsonl", "max_tokens", 2, "stream", true));
        assertEquals(2, events.size());
    }

    @Test
    void anErrorMidStreamBecomesAnErrorEvent() {
        List<JsonPath> events = stream(Map.of("prompt", "broken-stream", "max_tokens", 8, "stream", true));
        assertEquals("par", events.get(0).getString("choices[0].text"));
        JsonPath last = events.get(events.size() - 1);
        assertTrue(last.getString("error.message").contains("engine died"));
    }

    @Test
    void upstreamFailuresKeepTheOpenAiErrorShape() {
        given().contentType(ContentType.JSON).body(Map.of("prompt", "busy", "max_tokens", 2))
                .post("/v1/completions").then().statusCode(429).header("Retry-After", equalTo("1"))
                .body("error.type", equalTo("rate_limit_error"));
        given().contentType(ContentType.JSON).body(Map.of("prompt", "crash", "max_tokens", 2))
                .post("/v1/completions").then().statusCode(502).body("error.code", equalTo("upstream_error"));
        given().contentType(ContentType.JSON).body(Map.of("prompt", "refuse", "max_tokens", 2))
                .post("/v1/completions").then().statusCode(400).body("error.param", equalTo("max_tokens"));
        given().contentType(ContentType.JSON).body(Map.of("path", "/tmp"))
                .post("/v1/weights").then().statusCode(501).body("error.code", equalTo("not_supported"));
    }

    @Test
    void chatIsForwardedAndNormalised() {
        given().contentType(ContentType.JSON)
                .body(Map.of("messages", List.of(Map.of("role", "user", "content", "2+2?")), "max_tokens", 4))
                .post("/v1/chat/completions").then().statusCode(200)
                .body("choices[0].message.content", equalTo("Four."))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("usage.total_tokens", equalTo(11))
                .body("policy_version", equalTo(17))
                .body("model", equalTo("served-name"));
    }
}
