package ai.aster.sandbox;

import static ai.aster.sandbox.SandboxApi.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** SandboxFusion's /run_code and /run_stateful_code, as verl's sandbox tool sends them (token as ?token=). */
@QuarkusTest
class SandboxFusionTest {

    /** verl's payload: every SandboxFusion field, the token in the URL's query. */
    private static JsonPath runCode(String path, Map<String, Object> extra, String code) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("code", code, "language", "python",
                "compile_timeout", 10, "run_timeout", 10, "memory_limit_MB", 1024, "stdin", "",
                "files", Map.of(), "fetch_files", java.util.List.of()));
        body.putAll(extra);
        return RestAssured.given().contentType(ContentType.JSON).body(body)
                .post(path + "?token=" + SandboxApi.TOKEN).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void successHasSandboxFusionsShape() {
        JsonPath r = runCode("/run_code", Map.of(), "print(input()[::-1])\nx = 6\nx * 7");
        // stdin "" : input() raises EOFError: use a call with stdin for the success case instead
        assertThat(r.getString("status")).isEqualTo("Failed");
        JsonPath ok = runCode("/run_code", Map.of("stdin", "abc\n"), "print(input()[::-1])\nx = 6\nx * 7");
        assertThat(ok.getString("status")).isEqualTo("Success");
        assertThat(ok.getString("message")).isEmpty();
        assertThat(ok.getMap("$")).containsKeys("compile_result", "executor_pod_name", "files");
        assertThat(ok.getString("run_result.status")).isEqualTo("Finished");
        assertThat(ok.getInt("run_result.return_code")).isZero();
        assertThat(ok.getString("run_result.stdout")).isEqualTo("cba\n42\n");
        assertThat(ok.getString("run_result.stderr")).isEmpty();
        assertThat(ok.getDouble("run_result.execution_time")).isPositive();
        assertThat(ok.getMap("files")).isEmpty();
    }

    /**
     * Byte for byte what verl's {@code call_sandbox_api} posts ({@code json.dumps} of its payload, {@code stdin: null}
     * when there is none), and what its {@code SandboxFusionTool} then reads: {@code run_result.status == "Finished"}
     * and {@code stdout + stderr}, which must both be strings.
     */
    @Test
    void verlsOwnPayloadAndWhatItsToolReads() {
        String payload = "{\"compile_timeout\": 30, \"run_timeout\": 30, \"code\": \"import math\\nprint(math."
                + "factorial(5))\", \"stdin\": null, \"memory_limit_MB\": 1024, \"language\": \"python\", "
                + "\"files\": {}, \"fetch_files\": []}";
        JsonPath ok = verl(payload).then().statusCode(200).extract().jsonPath();
        assertThat(ok.getString("status")).isEqualTo("Success");
        assertThat(ok.getString("run_result.status")).isEqualTo("Finished");
        assertThat(ok.getString("run_result.stdout") + ok.getString("run_result.stderr")).isEqualTo("120\n");
        assertThat(ok.getInt("run_result.return_code")).isZero();

        JsonPath raised = verl(payload.replace("import math\\nprint(math.factorial(5))",
                "print('before')\\nraise ValueError('no')")).then().statusCode(200).extract().jsonPath();
        assertThat(raised.getString("status")).isEqualTo("Failed");
        assertThat(raised.getString("run_result.status")).isEqualTo("Finished");
        assertThat(raised.getInt("run_result.return_code")).isEqualTo(1);
        assertThat(raised.getString("run_result.stdout")).isEqualTo("before\n");
        assertThat(raised.getString("run_result.stderr")).contains("ValueError: no");
    }

    @Test
    void limitsOutOfRangeAreNamedAsSandboxFusionNamesThem() {
        String payload = "{\"compile_timeout\": 30, \"run_timeout\": 30, \"code\": \"print(1)\", \"stdin\": null, "
                + "\"memory_limit_MB\": 1024, \"language\": \"python\", \"files\": {}, \"fetch_files\": []}";
        verl(payload.replace("\"run_timeout\": 30", "\"run_timeout\": 100000")).then().statusCode(400)
                .body("error.param", equalTo("run_timeout"))
                .body("error.message", org.hamcrest.Matchers.startsWith("'run_timeout' must be above 0"));
        verl(payload.replace("\"memory_limit_MB\": 1024", "\"memory_limit_MB\": 1")).then().statusCode(400)
                .body("error.param", equalTo("memory_limit_MB"))
                .body("error.message", org.hamcrest.Matchers.startsWith("'memory_limit_MB' must be between"));
    }

    /** As Python's requests sends it: the body as data, JSON content type and accept headers, the token in the URL. */
    private static io.restassured.response.Response verl(String payload) {
        return RestAssured.given().header("Content-Type", "application/json").header("Accept", "application/json")
                .body(payload).post("/run_code?token=" + SandboxApi.TOKEN);
    }

    @Test
    void failureAndTimeLimit() {
        JsonPath failed = runCode("/run_code", Map.of(), "import sys\nsys.exit(3)");
        assertThat(failed.getString("status")).isEqualTo("Failed");
        assertThat(failed.getString("run_result.status")).isEqualTo("Finished");
        assertThat(failed.getInt("run_result.return_code")).isEqualTo(3);
        JsonPath slow = runCode("/run_code", Map.of("run_timeout", 1), "while True:\n    pass");
        assertThat(slow.getString("status")).isEqualTo("Failed");
        assertThat(slow.getString("run_result.status")).isEqualTo("TimeLimitExceeded");
        assertThat(slow.get("run_result.return_code") == null).isTrue();
    }

    @Test
    void statefulCodeKeepsTheSession() {
        String session = "fusion-" + UUID.randomUUID();
        runCode("/run_stateful_code", Map.of("session_id", session), "y = 21");
        JsonPath second = runCode("/run_stateful_code", Map.of("session_id", session), "print(y * 2)");
        assertThat(second.getString("status")).isEqualTo("Success");
        assertThat(second.getString("run_result.stdout")).isEqualTo("42\n");
        assertThat(second.getString("session_id")).isEqualTo(session);
    }

    @Test
    void badInputAndTokens() {
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("code", "print(1)"))
                .post("/run_code").then().statusCode(401);
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("code", "print(1)"))
                .post("/run_code?token=wrong").then().statusCode(403);
        // the bearer header works there too
        given().contentType(ContentType.JSON).body(Map.of("code", "print(1)")).post("/run_code")
                .then().statusCode(200).body("run_result.stdout", equalTo("1\n"));
        given().contentType(ContentType.JSON).body(Map.of("code", "print(1)")).post("/run_stateful_code")
                .then().statusCode(400).body("error.param", equalTo("session_id"));
        given().contentType(ContentType.JSON).body(Map.of("code", "print(1)", "files", Map.of("a.txt", "eA==")))
                .post("/run_code").then().statusCode(400).body("error.param", equalTo("files"));
        given().contentType(ContentType.JSON).body(Map.of("code", "print(1)", "language", "cpp"))
                .post("/run_code").then().statusCode(400).body("error.param", equalTo("language"));
    }
}
