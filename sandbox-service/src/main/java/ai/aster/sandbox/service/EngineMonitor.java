package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Checks every second that the engine answers and the image exists and records it in {@link EngineStatus}; sweeps
 * a crashed run's leftovers once; after an outage drops the (possibly dead) warm containers; tops the pool up and
 * has failed removals retried.
 */
@ApplicationScoped
public class EngineMonitor {

    private static final Logger LOG = Logger.getLogger(EngineMonitor.class);
    private static final Duration PERIOD = Duration.ofSeconds(1);

    private final SandboxConfig config;
    private final ContainerEngine engine;
    private final EngineStatus status;
    private final ContainerPool pool;
    private final ContainerReaper reaper;
    private final ContainerLauncher launcher;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, Thread.ofPlatform()
            .name("sandbox-maintenance").daemon().factory());
    private volatile boolean leftoversRemoved;

    public EngineMonitor(SandboxConfig config, ContainerEngine engine, EngineStatus status, ContainerPool pool,
            ContainerReaper reaper, ContainerLauncher launcher) {
        this.config = config;
        this.engine = engine;
        this.status = status;
        this.pool = pool;
        this.reaper = reaper;
        this.launcher = launcher;
    }

    void onStart(@Observes StartupEvent event) {
        launcher.directories().prepare();
        timer.scheduleWithFixedDelay(this::check, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }

    private void check() {
        try {
            engine.ping();
        } catch (RuntimeException e) {
            markDown("the container engine at " + config.dockerHost() + " is unreachable ("
                    + ContainerReaper.rootMessage(e) + "); calls resume when it answers again");
            return;
        }
        try {
            if (!engine.imageExists()) {
                markDown("the sandbox image " + config.image() + " does not exist; build it with "
                        + "sandbox-service/image/build-offline.sh or "
                        + "docker build -t aster-sandbox:latest sandbox-service/image");
                return;
            }
            if (!leftoversRemoved) {
                reaper.removeLeftovers();
                leftoversRemoved = true;
            }
            if (!status.ready()) {
                LOG.infof("container engine and image %s ready", config.image());
                // Warm containers may have died with an engine restart: drop them, the pool refills.
                pool.drainReady();
            }
            status.up();
            pool.replenish();
            reaper.retryFailed();
        } catch (RuntimeException e) {
            markDown("the container engine failed: " + ContainerReaper.rootMessage(e));
        }
    }

    private void markDown(String why) {
        if (status.ready() || !why.equals(status.problem())) {
            LOG.warn(why);
        }
        status.down(why);
    }
}
