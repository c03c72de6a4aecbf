package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Removes containers: used ones off the request path through a bounded queue (when it is full, the caller removes
 * its container itself, which slows callers down instead of letting removals pile up), timed-out ones killed at once
 * and removed later, leftovers of a crashed run at start, everything of this run at shutdown. Tracks every container
 * this run created, and gives its room in the {@link ContainerBudget} back once the engine confirms it is gone.
 */
@ApplicationScoped
public class ContainerReaper {

    private static final Logger LOG = Logger.getLogger(ContainerReaper.class);
    /** Removal is mostly engine time; two threads keep up with the starts of a 2-core host. */
    private static final int REMOVAL_THREADS = 2;
    private static final int REMOVAL_QUEUE = 256;

    private final SandboxConfig config;
    private final ContainerEngine engine;
    private final ContainerBudget budget;
    private final SandboxMetrics metrics;
    /** Every container this run created and the engine has not confirmed removed yet, with its memory limit. */
    private final Map<String, Integer> owned = new ConcurrentHashMap<>();
    /** Containers whose removal failed; the engine monitor has them retried. */
    private final Set<String> toRetry = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor removals;
    private final ThreadPoolExecutor kills;
    private volatile boolean closed;

    public ContainerReaper(SandboxConfig config, ContainerEngine engine, ContainerBudget budget,
            SandboxMetrics metrics) {
        this.config = config;
        this.engine = engine;
        this.budget = budget;
        this.metrics = metrics;
        this.removals = new ThreadPoolExecutor(REMOVAL_THREADS, REMOVAL_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(REMOVAL_QUEUE),
                Thread.ofPlatform().name("sandbox-remover-", 0).daemon().factory(),
                new ThreadPoolExecutor.CallerRunsPolicy());
        this.kills = new ThreadPoolExecutor(REMOVAL_THREADS, REMOVAL_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(REMOVAL_QUEUE),
                Thread.ofPlatform().name("sandbox-killer-", 0).daemon().factory(),
                new ThreadPoolExecutor.CallerRunsPolicy());
        metrics.gauge("aster.sandbox.removal.queue", "Containers waiting to be removed", removals.getQueue()::size);
    }

    /** A container now exists; its budget share is given back when it is removed. */
    void track(String id, int memoryMb) {
        owned.put(id, memoryMb);
        metrics.containerCreated();
    }

    boolean owns(String id) {
        return owned.containsKey(id);
    }

    /** Removes a used (or unusable) container off the request path. */
    void discard(SandboxContainer container) {
        container.closeQuietly();
        remove(container.id(), container.ipcDir());
    }

    /**
     * A container whose call ran out of time: killed now (it stops using CPU at once; ahead of the removal queue,
     * off the request path), removed later.
     */
    void killAndDiscard(SandboxContainer container) {
        container.closeQuietly();
        if (closed) {
            removeNow(container.id(), container.ipcDir());
            return;
        }
        kills.execute(() -> {
            try {
                engine.kill(container.id());
            } catch (RuntimeException e) {
                LOG.debugf("could not kill container %s: %s", container.id(), rootMessage(e));
            }
            remove(container.id(), container.ipcDir());
        });
    }

    /** Removes a container off the request path (its socket directory with it). */
    void remove(String id, Path ipcDir) {
        if (closed) {
            removeNow(id, ipcDir);
            return;
        }
        removals.execute(() -> removeNow(id, ipcDir));
    }

    /** Retries removals that failed earlier; called by the engine monitor. */
    void retryFailed() {
        for (String id : List.copyOf(toRetry)) {
            if (toRetry.remove(id)) {
                remove(id, null);
            }
        }
    }

    /** Removes containers of this instance that this run did not create (a crashed earlier run's). */
    void removeLeftovers() {
        List<String> leftovers = engine.listOwn().stream().filter(id -> !owned.containsKey(id)).toList();
        if (!leftovers.isEmpty()) {
            LOG.infof("removing %d leftover containers of instance %s", leftovers.size(), config.instance());
            leftovers.forEach(this::removeById);
        }
    }

    private void removeNow(String id, Path ipcDir) {
        removeById(id);
        if (ipcDir != null) {
            IpcDirectories.delete(ipcDir);
        }
    }

    private void removeById(String id) {
        // Podman refuses to remove a container that is just exiting ("container state improper"): retry a little.
        for (int attempt = 0; attempt < 4; attempt++) {
            try {
                if (engine.remove(id)) {
                    Integer memoryMb = owned.remove(id);
                    if (memoryMb != null) {
                        metrics.containerRemoved();
                        budget.release(memoryMb);
                    }
                    toRetry.remove(id);
                    return;
                }
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    // Retried by the engine monitor; at worst removed at shutdown or by the next start's sweep.
                    LOG.debugf("could not remove container %s yet: %s", id, rootMessage(e));
                    toRetry.add(id);
                    return;
                }
            }
            try {
                Thread.sleep(100L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                toRetry.add(id);
                return;
            }
        }
    }

    /** Waits for queued removals, then removes every container of this run and instance that is left. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        kills.shutdown();
        try {
            kills.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removals.shutdown();
        try {
            removals.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Set<String> remaining = ConcurrentHashMap.newKeySet();
        remaining.addAll(owned.keySet());
        try {
            remaining.addAll(engine.listOwn());
        } catch (RuntimeException e) {
            LOG.warnf("could not list containers at shutdown: %s", rootMessage(e));
        }
        CompletableFuture.allOf(remaining.stream()
                        .map(id -> CompletableFuture.runAsync(() -> removeById(id)))
                        .toArray(CompletableFuture[]::new))
                .join();
        LOG.infof("removed the %d remaining containers", remaining.size());
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }
}
