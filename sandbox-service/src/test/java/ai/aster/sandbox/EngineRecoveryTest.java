package ai.aster.sandbox;

import static ai.aster.sandbox.SandboxApi.call;
import static ai.aster.sandbox.SandboxApi.post;
import static ai.aster.sandbox.SandboxApi.run;
import static ai.aster.sandbox.SandboxApi.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine goes away and comes back: 503 and readiness down meanwhile, then recovery without a restart. */
@QuarkusTest
@TestProfile(EngineRecoveryTest.BehindProxy.class)
class EngineRecoveryTest {

    /** The service talks to the engine through a proxy the test can cut. */
    public static class BehindProxy implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EngineProxyResource.class));
        }
    }

    @EngineProxyResource.InjectEngineProxy
    EngineProxy engine;

    @Test
    void engineOutageGives503AndTheServiceRecovers() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200));
        assertThat(run("print('before')").getString("stdout")).isEqualTo("before\n");

        engine.cut();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(503)
                .body("checks[0].data.reason", containsString("unreachable")));
        post(call("print(1)")).then().statusCode(503)
                .body("error.type", equalTo("service_unavailable"))
                .body("error.message", containsString("unreachable"));
        given().get("/q/health/live").then().statusCode(200);

        engine.restore();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200));
        assertThat(run("print('after')").getString("stdout")).isEqualTo("after\n");
    }
}
