package ai.aster.sandbox;

import ai.aster.sandbox.service.ContainerEngine;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.util.List;
import java.util.Map;

/** The tests' own view of the container engine, independent of the service's client. */
final class TestEngine {

    static final String HOST = System.getenv().getOrDefault("DOCKER_HOST", "unix:///run/podman/podman.sock");

    private TestEngine() {}

    static DockerClient client() {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(HOST).build();
        return DockerClientImpl.getInstance(config,
                new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
    }

    /** Ids of all containers (running or not) labelled with this instance name. */
    static List<String> containersOf(String instance) {
        try (DockerClient docker = client()) {
            return docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(ContainerEngine.INSTANCE_LABEL, instance))
                    .exec().stream().map(c -> c.getId()).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
