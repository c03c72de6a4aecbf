package ai.aster.sandbox;

import static ai.aster.sandbox.SandboxApi.call;
import static ai.aster.sandbox.SandboxApi.post;
import static ai.aster.sandbox.SandboxApi.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without the image the service starts, says it is not ready and how to build the image, and answers 503. */
@QuarkusTest
@TestProfile(ImageMissingTest.NoImage.class)
class ImageMissingTest {

    public static class NoImage implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("aster.sandbox.instance", "sandbox-test-noimage",
                    "aster.sandbox.image", "aster-sandbox-missing:latest",
                    "aster.sandbox.pool.size", "1");
        }
    }

    @Test
    void readinessIsDownWithBuildInstructions() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(503)
                .body("checks[0].data.reason", containsString("build-offline.sh")));
        given().get("/q/health/live").then().statusCode(200);
        post(call("print(1)")).then().statusCode(503)
                .body("error.type", equalTo("service_unavailable"))
                .body("error.message", containsString("aster-sandbox-missing:latest"));
    }
}
