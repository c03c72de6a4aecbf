package ai.aster.model.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.model.InternalAuth;
import ai.aster.model.ModelFolderResource;
import ai.aster.model.TestModels;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One batch slot and one queue place: a full queue answers 429, a client that goes away frees its slot, and a
 * weights reload waits for the in-flight request and bumps the policy version.
 */
@QuarkusTest
@TestProfile(SaturationAndReloadApiTest.OneSlot.class)
@QuarkusTestResource(value = ModelFolderResource.class, restrictToAnnotatedClass = true)
class SaturationAndReloadApiTest {

    @BeforeEach
    void sendToken() {
        InternalAuth.sendToken();
    }

    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // 1 MiB of KV cache: 2,048 positions of the test model (512 bytes each), less than its context of 4,096
            return Map.of("aster.model.max-batch-size", "1", "aster.model.max-queued-requests", "1",
                    "aster.model.checkpoint-root", TestModels.root().toString(),
                    "aster.model.kv-cache-bytes", Long.toString(1L << 20));
        }
    }

    static Map<String, Object> longRequest(String prompt, int maxTokens) {
        return Map.of("prompt", prompt, "max_tokens", maxTokens, "ignore_eos", true, "temperature", 0,
                "return_token_ids", true);
    }

    /** Not the common pool: on a 2-core machine it runs one task at a time. */
    private static final java.util.concurrent.ExecutorService CLIENTS =
            java.util.concurrent.Executors.newCachedThreadPool();

    static CompletableFuture<Response> inBackground(Map<String, Object> body) {
        return CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON).body(body)
                .post("/v1/completions").andReturn(), CLIENTS);
    }

    static int gauge(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " not exported");
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        // the one slot: a long stream that this test ends by hanging up, so nothing depends on decode speed
        try (Socket running = openStream("running", 1900)) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gauge("aster_model_requests_running") == 1);
            CompletableFuture<Response> queued = inBackground(longRequest("queued", 4));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gauge("aster_model_requests_waiting") == 1);
            given().contentType(ContentType.JSON).body(longRequest("refused", 4))
                    .when().post("/v1/completions")
                    .then().statusCode(429)
                    .header("Retry-After", equalTo("1"))
                    .body("error.type", equalTo("rate_limit_error"));
            running.close();
            assertEquals(200, queued.get(60, TimeUnit.SECONDS).statusCode());
        }
    }

    /** Starts a streamed completion over a raw socket and reads its first bytes; closing the socket hangs up. */
    static Socket openStream(String prompt, int maxTokens) throws Exception {
        String body = "{\"prompt\": \"" + prompt + "\", \"max_tokens\": " + maxTokens
                + ", \"ignore_eos\": true, \"stream\": true}";
        Socket socket = new Socket("localhost", RestAssured.port);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Authorization: " + InternalAuth.HEADER + "\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        int read = in.read(buffer);
        assertTrue(read > 0 && new String(buffer, 0, read, StandardCharsets.UTF_8).contains("200"));
        return socket;
    }

    @Test
    void aClientThatGoesAwayFreesItsSlot() throws Exception {
        try (Socket socket = openStream("forever", 1900)) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gauge("aster_model_requests_running") == 1);
        }
        // the slot is free long before 1,900 tokens could have been generated
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> gauge("aster_model_requests_running") == 0);
        given().contentType(ContentType.JSON).body(longRequest("next", 3))
                .when().post("/v1/completions")
                .then().statusCode(200);
    }

    @Test
    void aReloadBumpsThePolicyVersionWithoutFailingAnInFlightRequest() throws Exception {
        long before = given().get("/v1/models").then().statusCode(200).extract().jsonPath()
                .getLong("data[0].policy_version");
        // seeded sampling, not greedy: greedy decoding of a random model tends to repeat one token for any weights
        Map<String, Object> probe = Map.of("prompt", "Consider the sequence", "max_tokens", 10, "ignore_eos", true,
                "temperature", 1.0, "seed", 5, "return_token_ids", true);
        JsonPath oldAnswer = given().contentType(ContentType.JSON).body(probe).post("/v1/completions")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(before, oldAnswer.getLong("policy_version"));

        CompletableFuture<Response> inFlight = inBackground(longRequest("in flight", 1500));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gauge("aster_model_requests_running") == 1);
        JsonPath reload = admin(Map.of("path", "other")).then().statusCode(200).extract().jsonPath();
        assertEquals(before + 1, reload.getLong("policy_version"));

        Response finished = inFlight.get(60, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals(1500, finished.jsonPath().getList("choices[0].token_ids").size());
        assertEquals(before, finished.jsonPath().getLong("policy_version"), "produced by the old weights");

        JsonPath newAnswer = given().contentType(ContentType.JSON).body(probe).post("/v1/completions")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(before + 1, newAnswer.getLong("policy_version"));
        assertTrue(!oldAnswer.getList("choices[0].token_ids").equals(newAnswer.getList("choices[0].token_ids")),
                "other weights, other tokens");
        given().get("/v1/models").then().body("data[0].policy_version", equalTo((int) (before + 1)));
    }

    @Test
    void aBrokenCheckpointIsRefusedAndTheOldWeightsStay() throws Exception {
        long before = given().get("/v1/models").then().extract().jsonPath().getLong("data[0].policy_version");
        JsonPath reference = given().contentType(ContentType.JSON).body(longRequest("Let p be prime", 6))
                .post("/v1/completions").then().statusCode(200).extract().jsonPath();

        Path broken = Files.createTempDirectory(TestModels.root(), "broken-checkpoint");
        try (var files = Files.list(TestModels.base())) {
            for (Path f : files.toList()) {
                Files.copy(f, broken.resolve(f.getFileName()));
            }
        }
        Path weights = broken.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // truncated
        admin(Map.of("path", broken.toString())).then().statusCode(422)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString("old weights stay"));
        admin(Map.of("path", "/nonexistent/checkpoint")).then().statusCode(400).body("error.param", equalTo("path"));

        given().get("/v1/models").then().body("data[0].policy_version", equalTo((int) before));
        JsonPath after = given().contentType(ContentType.JSON).body(longRequest("Let p be prime", 6))
                .post("/v1/completions").then().statusCode(200).extract().jsonPath();
        assertEquals(reference.getList("choices[0].token_ids"), after.getList("choices[0].token_ids"));
    }

    private static Response admin(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/weights").andReturn();
    }

    @Test
    void checkpointsAreReadOnlyUnderTheCheckpointRoot() throws Exception {
        long before = given().get("/v1/models").then().extract().jsonPath().getLong("data[0].policy_version");
        Path outside = Files.createTempDirectory("outside-root");
        try (var files = Files.list(TestModels.other())) {
            for (Path f : files.toList()) {
                Files.copy(f, outside.resolve(f.getFileName()));
            }
        }
        // a whole valid checkpoint outside the root, by absolute path and by climbing out of the root
        admin(Map.of("path", outside.toString())).then().statusCode(400).body("error.param", equalTo("path"))
                .body("error.message", containsString("outside the checkpoint root"));
        admin(Map.of("path", "../" + outside.getFileName())).then().statusCode(400)
                .body("error.message", containsString("'..'"));
        admin(Map.of("path", TestModels.root() + "/base/../../" + outside.getFileName())).then().statusCode(400)
                .body("error.message", containsString("'..'"));
        // a link inside the root to a folder outside it
        Path linkedFolder = TestModels.root().resolve("linked-folder");
        Files.deleteIfExists(linkedFolder);
        Files.createSymbolicLink(linkedFolder, outside);
        admin(Map.of("path", "linked-folder")).then().statusCode(400)
                .body("error.message", containsString("outside the checkpoint root"));
        // a folder inside the root whose weights file links out of it
        Path linkedWeights = Files.createTempDirectory(TestModels.root(), "linked-weights");
        try (var files = Files.list(TestModels.other())) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().equals("model.safetensors")) {
                    Files.createSymbolicLink(linkedWeights.resolve(f.getFileName()), outside.resolve(f.getFileName()));
                } else {
                    Files.copy(f, linkedWeights.resolve(f.getFileName()));
                }
            }
        }
        admin(Map.of("path", linkedWeights.toString())).then().statusCode(400)
                .body("error.message", containsString("model.safetensors"))
                .body("error.message", containsString("outside the checkpoint root"));
        given().get("/v1/models").then().body("data[0].policy_version", equalTo((int) before));
    }

    @Test
    void aPromptBeyondTheKvBudgetIsRefusedNamingTheLimit() {
        // 2,100 tokens fit the context (4,096) but not the 1 MiB KV budget (2,048 positions)
        java.util.List<Integer> prompt = java.util.Collections.nCopies(2100, 7);
        given().contentType(ContentType.JSON).body(Map.of("prompt", prompt, "max_tokens", 1))
                .when().post("/v1/completions")
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("prompt"))
                .body("error.message", containsString("aster.model.kv-cache-bytes"))
                .body("error.message", containsString("1048576"));
        // within the budget, a completion that would outgrow it names max_tokens
        given().contentType(ContentType.JSON).body(Map.of("prompt", java.util.Collections.nCopies(1000, 7),
                        "max_tokens", 1500))
                .when().post("/v1/completions")
                .then().statusCode(400).body("error.param", equalTo("max_tokens"))
                .body("error.message", containsString("KV cache budget"));
    }
}
