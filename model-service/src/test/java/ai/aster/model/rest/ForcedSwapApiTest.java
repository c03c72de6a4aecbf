package ai.aster.model.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.model.InternalAuth;
import ai.aster.model.ModelFolderResource;
import ai.aster.model.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A weights swap forced under running streams (drain timeout 0): every stream finishes without an error, its
 * tokens contiguous, the ones after the swap recomputed on the new weights from the tokens before it.
 */
@QuarkusTest
@TestProfile(ForcedSwapApiTest.NoDrain.class)
@QuarkusTestResource(value = ModelFolderResource.class, restrictToAnnotatedClass = true)
class ForcedSwapApiTest {

    public static class NoDrain implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("aster.model.max-batch-size", "8", "aster.model.reload-drain-timeout", "0s",
                    "aster.model.checkpoint-root", TestModels.root().toString());
        }
    }

    private static final int STREAMS = 8;
    private static final int MAX_TOKENS = 400;
    /** One blocking reader per stream (the common pool has one thread on two cores). */
    private static final java.util.concurrent.ExecutorService READERS =
            java.util.concurrent.Executors.newCachedThreadPool();

    @BeforeEach
    void sendToken() {
        InternalAuth.sendToken();
    }

    /** One streamed completion: its chunks' token ids and versions, the last chunk's version list, errors. */
    static final class Stream {
        final List<Integer> tokens = new ArrayList<>();
        final List<Long> versions = new ArrayList<>();
        List<Long> policyVersions;
        String finishReason;
        final List<String> errors = new ArrayList<>();
        boolean done;
        final List<Integer> promptIds = new ArrayList<>();
    }

    /** Jackson, not RestAssured's JsonPath: thousands of chunks must parse in well under a millisecond each. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Stream read(HttpResponse<java.util.stream.Stream<String>> response, CountDownLatch firstToken) {
        Stream s = new Stream();
        response.body().forEach(line -> {
            if (!line.startsWith("data: ")) {
                return;
            }
            if (line.equals("data: [DONE]")) {
                s.done = true;
                return;
            }
            JsonNode chunk;
            try {
                chunk = JSON.readTree(line.substring(6));
            } catch (java.io.IOException e) {
                s.errors.add(line);
                return;
            }
            if (chunk.has("error")) {
                s.errors.add(line);
                return;
            }
            if (chunk.has("prompt_token_ids")) {
                chunk.get("prompt_token_ids").forEach(t -> s.promptIds.add(t.asInt()));
            }
            if (chunk.has("policy_versions")) {
                s.policyVersions = new ArrayList<>();
                chunk.get("policy_versions").forEach(v -> s.policyVersions.add(v.asLong()));
            }
            JsonNode choice = chunk.path("choices").path(0);
            JsonNode ids = choice.path("token_ids");
            if (ids.size() > 0) {
                if (s.tokens.isEmpty()) {
                    firstToken.countDown();
                }
                long version = chunk.get("policy_version").asLong();
                ids.forEach(t -> {
                    s.tokens.add(t.asInt());
                    s.versions.add(version);
                });
            }
            if (choice.hasNonNull("finish_reason")) {
                s.finishReason = choice.get("finish_reason").asText();
            }
        });
        return s;
    }

    @Test
    void eightStreamsInFlightFinishOnTheNewWeightsWithoutAnError() throws Exception {
        long before = given().get("/v1/models").then().extract().jsonPath().getLong("data[0].policy_version");
        HttpClient http = HttpClient.newHttpClient();
        CountDownLatch allStarted = new CountDownLatch(STREAMS);
        List<CompletableFuture<Stream>> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            String body = "{\"prompt\": \"stream " + i + " of the swap test\", \"max_tokens\": " + MAX_TOKENS
                    + ", \"temperature\": 0, \"ignore_eos\": true, \"stream\": true, \"return_token_ids\": true}";
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/completions"))
                    .header("Content-Type", "application/json").header("Authorization", InternalAuth.HEADER)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            streams.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                    .thenApplyAsync(response -> read(response, allStarted), READERS));
        }
        assertTrue(allStarted.await(120, TimeUnit.SECONDS), "every stream produced tokens");
        long swapped = given().contentType(ContentType.JSON).body(Map.of("path", "other"))
                .post("/v1/weights").then().statusCode(200).extract().jsonPath().getLong("policy_version");
        assertEquals(before + 1, swapped);

        for (int i = 0; i < STREAMS; i++) {
            Stream s = streams.get(i).get(300, TimeUnit.SECONDS);
            assertTrue(s.errors.isEmpty(), "stream " + i + ": " + s.errors);
            assertTrue(s.done, "stream " + i + " ended with [DONE]");
            assertEquals("length", s.finishReason);
            assertEquals(MAX_TOKENS, s.tokens.size(), "stream " + i + ": every token once");
            int switchAt = s.versions.indexOf(swapped);
            assertTrue(switchAt > 0, "stream " + i + " began on the old weights and ended on the new");
            assertTrue(s.versions.subList(0, switchAt).stream().allMatch(v -> v == before));
            assertTrue(s.versions.subList(switchAt, MAX_TOKENS).stream().allMatch(v -> v == swapped));
            assertEquals(List.of(before, swapped), s.policyVersions, "stream " + i);
            if (i == 0) {
                // contiguous: the new weights continue from the prompt and the tokens made before the swap
                List<Integer> resumed = new ArrayList<>(s.promptIds);
                resumed.addAll(s.tokens.subList(0, switchAt));
                JsonPath direct = given().contentType(ContentType.JSON).body(Map.of("prompt", resumed,
                                "max_tokens", MAX_TOKENS - switchAt, "temperature", 0, "ignore_eos", true,
                                "return_token_ids", true))
                        .post("/v1/completions").then().statusCode(200).extract().jsonPath();
                assertEquals(s.tokens.subList(switchAt, MAX_TOKENS), direct.getList("choices[0].token_ids"));
                assertEquals(swapped, direct.getLong("policy_version"));
                assertNull(direct.get("policy_versions"), "one version: no list");
            }
        }
    }
}
