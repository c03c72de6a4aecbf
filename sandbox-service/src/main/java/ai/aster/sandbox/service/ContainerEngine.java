package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The container engine through the Docker Engine API (Docker, or Podman's compatible socket). */
@ApplicationScoped
public class ContainerEngine {

    public static final String LABEL = "ai.aster.sandbox";
    public static final String INSTANCE_LABEL = "ai.aster.sandbox.instance";
    /** Where the runner and the per-container socket directory appear inside a container. */
    static final String RUNNER_MOUNT = "/opt/aster";
    static final String IPC_MOUNT = "/ipc";
    static final String SOCKET_NAME = "s";
    /** The only environment a container gets: what Python needs, nothing of the service's. */
    private static final List<String> WRITABLE_BY_DEFAULT = List.of("/tmp", "/var/tmp", "/run", "/dev/shm");
    private static final List<String> CONTAINER_ENV = List.of(
            "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/work", "TMPDIR=/work", "LANG=C.UTF-8",
            "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1");

    private final SandboxConfig config;
    private final DockerClient docker;

    public ContainerEngine(SandboxConfig config) {
        this.config = config;
        var clientConfig = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(config.dockerHost())
                .build();
        var http = new ApacheDockerHttpClient.Builder()
                .dockerHost(clientConfig.getDockerHost())
                .maxConnections(256)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(60))
                .build();
        this.docker = DockerClientImpl.getInstance(clientConfig, http);
    }

    /** Throws when the engine does not answer. */
    public void ping() {
        docker.pingCmd().exec();
    }

    public boolean imageExists() {
        try {
            docker.inspectImageCmd(config.image()).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Creates and starts a sandbox container whose runner connects to {@code ipcDir/s}.
     * {@code runnerDir} holds {@code code/aster_runner.py} and an empty directory {@code empty}.
     *
     * @return the container id
     */
    public String startSandbox(Path runnerDir, Path ipcDir, int memoryMb) {
        var limits = config.limits();
        long memoryBytes = memoryMb * 1024L * 1024L;
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/work", "rw,nosuid,nodev,size=" + limits.workDirMb() + "m,mode=1777"))
                .withMemory(memoryBytes)
                .withMemorySwap(memoryBytes)
                .withPidsLimit(limits.pids())
                .withNanoCPUs((long) (limits.cpus() * 1e9))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withBinds(binds(runnerDir, ipcDir));
        String name = "aster-sbx-" + config.instance() + "-" + UUID.randomUUID().toString().substring(0, 12);
        try (CreateContainerCmd create = docker.createContainerCmd(config.image())) {
            String id = create.withName(name)
                    .withLabels(Map.of(LABEL, "true", INSTANCE_LABEL, config.instance()))
                    .withUser("65534:65534")
                    .withWorkingDir("/work")
                    .withEnv(CONTAINER_ENV)
                    .withNetworkDisabled(true)
                    .withCmd("python3", "-I", "-B", RUNNER_MOUNT + "/aster_runner.py", IPC_MOUNT + "/" + SOCKET_NAME)
                    .withHostConfig(host)
                    .exec()
                    .getId();
            try {
                docker.startContainerCmd(id).exec();
            } catch (RuntimeException e) {
                remove(id);
                throw e;
            }
            return id;
        }
    }

    private static List<Bind> binds(Path runnerDir, Path ipcDir) {
        List<Bind> binds = new ArrayList<>();
        binds.add(new Bind(runnerDir.resolve("code").toString(), new Volume(RUNNER_MOUNT), AccessMode.ro));
        binds.add(new Bind(ipcDir.toString(), new Volume(IPC_MOUNT), AccessMode.ro));
        // Podman's --read-only adds writable tmpfs mounts at these paths; an empty read-only directory covers them,
        // so /work stays the only writable place.
        for (String path : WRITABLE_BY_DEFAULT) {
            binds.add(new Bind(runnerDir.resolve("empty").toString(), new Volume(path), AccessMode.ro));
        }
        return binds;
    }

    /** Exit code of a stopped container, empty while it still runs or when it is gone. */
    public Optional<Integer> exitCode(String id) {
        try {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
            if (Boolean.TRUE.equals(state.getRunning())) {
                return Optional.empty();
            }
            Long code = state.getExitCodeLong();
            return Optional.ofNullable(code).map(Long::intValue);
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** Kills a running container now (removal comes later); a container that is gone or stopped is fine. */
    public void kill(String id) {
        try {
            docker.killContainerCmd(id).exec();
        } catch (NotFoundException | ConflictException e) {
            // gone or not running: nothing to stop
        }
    }

    /** Force-removes a container; true when it is gone afterwards (also when it was gone before). */
    public boolean remove(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            return true;
        } catch (NotFoundException e) {
            return true;
        }
    }

    /** Ids of all containers (running or not) carrying this instance's label. */
    public List<String> listOwn() {
        List<Container> containers = docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(LABEL, "true", INSTANCE_LABEL, config.instance()))
                .exec();
        return containers.stream().map(Container::getId).toList();
    }

    @PreDestroy
    void close() {
        try {
            docker.close();
        } catch (IOException e) {
            // closing a client that is going away
        }
    }
}
