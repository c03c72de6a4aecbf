package ai.aster.sandbox;

import static ai.aster.sandbox.SandboxApi.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.aster.sandbox.service.ContainerEngine;
import ai.aster.sandbox.service.ContainerPool;
import com.github.dockerjava.api.DockerClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runs last (junit.quarkus.orderer.secondary-orderer is the @Order orderer, see application.properties). A crash leftover of this instance is removed at start; the apps of the earlier test classes (shut down
 * before this one started) left nothing behind; and closing this one leaves nothing either.
 */
@QuarkusTest
@TestProfile(LeftoversTest.Final.class)
@Order(Integer.MAX_VALUE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeftoversTest {

    static final String INSTANCE = "sandbox-test-final";

    /** Its own instance name, and the crash leftover created before the app starts. */
    public static class Final implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("aster.sandbox.instance", INSTANCE, "aster.sandbox.pool.size", "2");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(CrashLeftover.class));
        }
    }

    /** Before the service starts: a container of this instance, as a crashed earlier run would have left it. */
    public static class CrashLeftover implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try (DockerClient docker = TestEngine.client()) {
                docker.createContainerCmd("aster-sandbox:latest")
                        .withLabels(Map.of(ContainerEngine.LABEL, "true", ContainerEngine.INSTANCE_LABEL, INSTANCE))
                        .withCmd("true")
                        .exec();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of();
        }

        @Override
        public void stop() {}
    }

    @Inject
    ContainerPool pool;

    @Test
    @Order(1)
    void crashLeftoversAreRemovedAtStart() {
        assertThat(run("print('ok')").getString("stdout")).isEqualTo("ok\n");
        // Only the pool's own containers remain (the leftover was created, not started; pool ones run).
        await().atMost(Duration.ofSeconds(30)).until(() -> TestEngine.containersOf(INSTANCE).size() <= 2);
        try (DockerClient docker = TestEngine.client()) {
            assertThat(docker.listContainersCmd().withShowAll(true).withStatusFilter(List.of("created"))
                    .withLabelFilter(Map.of(ContainerEngine.INSTANCE_LABEL, INSTANCE)).exec()).isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(2)
    void noContainerIsLeftBehind() {
        for (String earlier : new String[] {"sandbox-test", "sandbox-test-saturation", "sandbox-test-noimage",
                "sandbox-test-recovery", "sandbox-test-stress", "sandbox-test-budget", "sandbox-test-sessions"}) {
            assertThat(TestEngine.containersOf(earlier)).as("containers of %s", earlier).isEmpty();
        }
        pool.close(); // what shutdown does
        assertThat(TestEngine.containersOf(INSTANCE)).isEmpty();
    }
}
