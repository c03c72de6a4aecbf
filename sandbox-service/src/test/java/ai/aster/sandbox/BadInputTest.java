package ai.aster.sandbox;

import static ai.aster.sandbox.SandboxApi.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input is answered 400 with the OpenAI error body, and never starts a container. */
@QuarkusTest
class BadInputTest {

    static Stream<Arguments> badBodies() {
        String big = "x = 1\n".repeat(1024 * 1024 / 6 + 1);
        return Stream.of(
                Arguments.of("", null),
                Arguments.of("   ", null),
                Arguments.of("not json", null),
                Arguments.of("{\"code\": ", null),
                Arguments.of("null", null),
                Arguments.of("[1, 2]", null),
                Arguments.of("{}", "code"),
                Arguments.of("{\"code\": \"\"}", "code"),
                Arguments.of("{\"code\": \"  \\n \"}", "code"),
                Arguments.of("{\"code\": 12}", null),
                Arguments.of("{\"code\": \"print(1)\", \"language\": \"ruby\"}", "language"),
                Arguments.of(("{\"code\": \"" + big + "\"}").replace("\n", "\\n"), "code"),
                Arguments.of("{\"code\": \"print(1)\", \"timeout_s\": -1}", "timeout_s"),
                Arguments.of("{\"code\": \"print(1)\", \"timeout_s\": 0}", "timeout_s"),
                Arguments.of("{\"code\": \"print(1)\", \"timeout_s\": 100000}", "timeout_s"),
                Arguments.of("{\"code\": \"print(1)\", \"timeout_s\": \"soon\"}", null),
                Arguments.of("{\"code\": \"print(1)\", \"memory_mb\": -5}", "memory_mb"),
                Arguments.of("{\"code\": \"print(1)\", \"memory_mb\": 1000000000}", "memory_mb"),
                Arguments.of("{\"code\": \"print(1)\", \"session_id\": \"\"}", "session_id"),
                Arguments.of("{\"code\": \"print(1)\", \"session_id\": \"../../etc\"}", "session_id"));
    }

    @ParameterizedTest
    @MethodSource("badBodies")
    void badInputIs400(String body, String param) {
        var response = given().contentType(ContentType.JSON).body(body).post("/v1/executions")
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("invalid_request"))
                .body("error.message", notNullValue());
        if (param != null) {
            response.body("error.param", equalTo(param));
        }
    }

    @Test
    void nonJsonContentTypeIsAlso400() {
        given().contentType(ContentType.TEXT).body("print(1)").post("/v1/executions")
                .then().statusCode(400).body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void badInputStartsNoContainer() {
        // Let the pool settle, then send every bad body: the created counter must not move.
        await().atMost(Duration.ofSeconds(60)).until(() -> gauge("aster_sandbox_pool_starting") == 0
                && gauge("aster_sandbox_pool_size") == 4);
        double before = gauge("aster_sandbox_containers_created_total");
        badBodies().forEach(a -> given().contentType(ContentType.JSON).body((String) a.get()[0])
                .post("/v1/executions").then().statusCode(400));
        assertThat(gauge("aster_sandbox_containers_created_total")).isEqualTo(before);
        assertThat(gauge("aster_sandbox_pool_size")).isEqualTo(4);
    }

    static double gauge(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(metrics);
        assertThat(m.find()).as("metric %s", name).isTrue();
        return Double.parseDouble(m.group(2));
    }
}
