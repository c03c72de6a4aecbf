package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Fresh containers, started ahead of demand. Each one's runner has connected back and is importing (or has
 * imported) the prelude; a call takes one, uses it once, and the reaper removes it while the pool refills in the
 * background. A call that finds the pool empty waits for the next ready container until its deadline; when the
 * engine is healthy that wait ending is saturation (429), never "engine down" (503).
 */
@ApplicationScoped
public class ContainerPool {

    private static final Logger LOG = Logger.getLogger(ContainerPool.class);

    private final SandboxConfig config;
    private final ContainerEngine engine;
    private final ContainerLauncher launcher;
    private final ContainerReaper reaper;
    private final EngineStatus status;
    private final BlockingDeque<SandboxContainer> ready = new LinkedBlockingDeque<>();
    private final AtomicInteger starting = new AtomicInteger();
    private final ExecutorService starters;
    private volatile boolean closed;

    public ContainerPool(SandboxConfig config, ContainerEngine engine, ContainerLauncher launcher,
            ContainerReaper reaper, EngineStatus status, SandboxMetrics metrics) {
        this.config = config;
        this.engine = engine;
        this.launcher = launcher;
        this.reaper = reaper;
        this.status = status;
        this.starters = Executors.newFixedThreadPool(config.pool().maxStarting(), Thread.ofPlatform()
                .name("sandbox-starter-", 0).daemon().factory());
        metrics.gauge("aster.sandbox.pool.size", "Pre-warmed containers ready for a call", ready::size);
        metrics.gauge("aster.sandbox.pool.starting", "Containers being started for the pool", starting::get);
    }

    void onStop(@Observes ShutdownEvent event) {
        close();
    }

    /**
     * A ready container with the default memory limit, the oldest first; waits for one until the deadline.
     *
     * @param wantsPrelude prefer a container whose prelude is already imported (the code uses sympy or numpy)
     * @throws EngineUnavailableException when the engine is down
     * @throws OverloadedException        when no container became free before the deadline (the engine is busy)
     */
    SandboxContainer take(boolean wantsPrelude, long deadlineNanos) {
        while (true) {
            checkUsable();
            replenish();
            if (wantsPrelude) {
                for (SandboxContainer candidate : ready) {
                    if (candidate.preludeReady() && ready.remove(candidate)) {
                        return claimed(candidate);
                    }
                }
                // Code that needs the prelude waits here for a container that has imported it: on a loaded machine
                // the import can outlast any fixed bound inside the call, while this wait is bounded by the call's
                // own deadline (then 429). The runner's ready frame is read without blocking: look again shortly.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                if (Thread.interrupted()) {
                    throw new EngineUnavailableException("interrupted while waiting for a sandbox container");
                }
            } else {
                try {
                    // Short polls: the engine's state is looked at again in between.
                    SandboxContainer container = ready.poll(100, TimeUnit.MILLISECONDS);
                    if (container != null) {
                        return claimed(container);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EngineUnavailableException("interrupted while waiting for a sandbox container");
                }
            }
            if (System.nanoTime() > deadlineNanos) {
                checkUsable();
                throw new OverloadedException("the sandbox is busy: no container became free within "
                        + config.pool().acquireTimeout().toSeconds() + " s");
            }
        }
    }

    private SandboxContainer claimed(SandboxContainer container) {
        container.claim();
        replenish();
        return container;
    }

    /**
     * A container started for one call with its own memory limit (slower than the pool, same isolation); waits for
     * a start slot and budget room until the deadline, giving up idle pooled containers when the budget is full.
     *
     * @throws EngineUnavailableException when the engine is down or refuses to start containers
     * @throws OverloadedException        when the deadline passed first (the engine is busy)
     */
    SandboxContainer startOnDemand(int memoryMb, long deadlineNanos) {
        while (true) {
            checkUsable();
            ContainerLauncher.Permit permit;
            try {
                permit = launcher.reserve(memoryMb, deadlineNanos, this::shedOne);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineUnavailableException("interrupted while waiting to start a sandbox container");
            }
            if (permit == null) {
                checkUsable();
                throw new OverloadedException("the sandbox is busy: no room to start a container within "
                        + config.pool().acquireTimeout().toSeconds() + " s");
            }
            try {
                return launcher.start(permit);
            } catch (ContainerLauncher.StartTimedOutException e) {
                // Slow, not dead: try again within the deadline unless the engine stopped answering.
                requireEngineAnswers(e);
                if (System.nanoTime() > deadlineNanos) {
                    throw new OverloadedException("the sandbox is busy: a container did not start within "
                            + config.pool().acquireTimeout().toSeconds() + " s");
                }
            } catch (RuntimeException e) {
                throw startFailed(e);
            }
        }
    }

    /** Gives up the oldest idle pooled container (its budget room comes back once it is removed). */
    private void shedOne() {
        SandboxContainer idle = ready.pollFirst();
        if (idle != null) {
            reaper.discard(idle);
        }
    }

    /** Removes a used (or unusable) container off the request path. */
    void discard(SandboxContainer container) {
        reaper.discard(container);
    }

    /** Removes a container whose call timed out: killed now, removed later. */
    void killAndDiscard(SandboxContainer container) {
        reaper.killAndDiscard(container);
    }

    private void checkUsable() {
        if (closed) {
            throw new EngineUnavailableException("the sandbox service is shutting down");
        }
        if (!status.ready()) {
            throw new EngineUnavailableException(status.problem());
        }
    }

    private void requireEngineAnswers(RuntimeException cause) {
        try {
            engine.ping();
        } catch (RuntimeException e) {
            throw startFailed(cause);
        }
    }

    /** Starts containers until ready + starting reaches the pool size, as start slots and the budget allow. */
    void replenish() {
        while (!closed && status.ready()) {
            if (ready.size() + starting.get() >= config.pool().size()) {
                return;
            }
            ContainerLauncher.Permit permit = launcher.tryReserve(config.limits().defaultMemoryMb());
            if (permit == null) {
                return;
            }
            starting.incrementAndGet();
            try {
                starters.execute(() -> startForPool(permit));
            } catch (RuntimeException e) { // rejected: shutting down
                starting.decrementAndGet();
                launcher.cancel(permit);
                return;
            }
        }
    }

    private void startForPool(ContainerLauncher.Permit permit) {
        try {
            SandboxContainer container = launcher.start(permit);
            if (closed) {
                reaper.discard(container);
            } else {
                ready.add(container);
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("could not start a sandbox container for the pool: " + ContainerReaper.rootMessage(e));
            }
        } finally {
            starting.decrementAndGet();
        }
    }

    private static EngineUnavailableException startFailed(RuntimeException e) {
        String why = "could not start a sandbox container: " + ContainerReaper.rootMessage(e);
        LOG.warn(why);
        return new EngineUnavailableException(why);
    }

    /** Drops every ready container (after an engine restart they may be dead); the pool refills. */
    void drainReady() {
        List<SandboxContainer> stale = new ArrayList<>();
        ready.drainTo(stale);
        stale.forEach(reaper::discard);
    }

    /** Removes every container of this run (waiting for it) and the socket directories; runs at shutdown. */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        starters.shutdown();
        try {
            starters.awaitTermination(config.pool().startTimeout().toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drainReady();
        reaper.close();
        launcher.directories().deleteAll();
        LOG.info("sandbox pool closed");
    }
}
