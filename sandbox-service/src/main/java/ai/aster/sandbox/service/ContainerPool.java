package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Fresh containers, started ahead of demand. Each one's runner has connected back and is importing (or has
 * imported) the prelude; a call takes one, uses it once, and it is removed off the request path while the pool
 * refills in the background. Also owns the lifecycle of every container of this instance: leftovers of an earlier
 * run are removed at start, everything of this run at shutdown.
 */
@ApplicationScoped
public class ContainerPool {

    private static final Logger LOG = Logger.getLogger(ContainerPool.class);
    private static final Duration MAINTENANCE_PERIOD = Duration.ofSeconds(1);

    private final SandboxConfig config;
    private final ContainerEngine engine;
    private final EngineStatus status;
    private final SandboxMetrics metrics;
    private final BlockingDeque<SandboxContainer> ready = new LinkedBlockingDeque<>();
    private final AtomicInteger starting = new AtomicInteger();
    /** Every container this run created and has not removed yet. */
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    /** Used containers whose removal failed; the maintenance task tries again. */
    private final Set<String> toRetry = ConcurrentHashMap.newKeySet();
    private final Path ipcBase;
    private final Path runnerDir;
    private final ExecutorService starters;
    private final ExecutorService removals;
    private final ScheduledExecutorService timer;
    /** Call deadlines and start timeouts: apart from the maintenance timer, which may block on the engine. */
    private final ScheduledExecutorService deadlines;
    private volatile boolean leftoversRemoved;
    private volatile boolean closed;

    public ContainerPool(SandboxConfig config, ContainerEngine engine, EngineStatus status, SandboxMetrics metrics) {
        this.config = config;
        this.engine = engine;
        this.status = status;
        this.metrics = metrics;
        this.ipcBase = Path.of(config.ipcDir().orElse(
                System.getProperty("java.io.tmpdir") + "/aster-sandbox-" + config.instance()));
        this.runnerDir = ipcBase.resolve("runner");
        this.starters = Executors.newFixedThreadPool(config.pool().maxStarting(), Thread.ofPlatform()
                .name("sandbox-starter-", 0).daemon().factory());
        this.removals = Executors.newFixedThreadPool(2, Thread.ofPlatform()
                .name("sandbox-remover-", 0).daemon().factory());
        this.timer = Executors.newScheduledThreadPool(1, Thread.ofPlatform()
                .name("sandbox-maintenance").daemon().factory());
        this.deadlines = Executors.newScheduledThreadPool(1, Thread.ofPlatform()
                .name("sandbox-deadlines").daemon().factory());
        metrics.gauge("aster.sandbox.pool.size", "Pre-warmed containers ready for a call", ready::size);
        metrics.gauge("aster.sandbox.pool.starting", "Containers being started", starting::get);
    }

    void onStart(@Observes StartupEvent event) {
        prepareDirectories();
        timer.scheduleWithFixedDelay(this::maintain, 0, MAINTENANCE_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        close();
    }

    /** Timer for the calls' deadlines. */
    ScheduledExecutorService deadlines() {
        return deadlines;
    }

    /**
     * A ready container with the default memory limit, the oldest first; waits up to the acquire timeout for one.
     *
     * @param wantsPrelude prefer a container whose prelude is already imported (the code uses sympy or numpy)
     * @throws EngineUnavailableException when the engine is down or no container became ready in time
     */
    SandboxContainer take(boolean wantsPrelude) {
        long deadline = System.nanoTime() + config.pool().acquireTimeout().toNanos();
        while (true) {
            checkUsable();
            replenish();
            if (wantsPrelude) {
                for (SandboxContainer candidate : ready) {
                    if (candidate.preludeReady() && ready.remove(candidate)) {
                        candidate.claim();
                        replenish();
                        return candidate;
                    }
                }
            }
            try {
                SandboxContainer container = ready.poll(100, TimeUnit.MILLISECONDS);
                if (container != null) {
                    container.claim();
                    replenish();
                    return container;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineUnavailableException("interrupted while waiting for a sandbox container");
            }
            if (System.nanoTime() > deadline) {
                throw new EngineUnavailableException("no sandbox container became ready within "
                        + config.pool().acquireTimeout().toSeconds() + " s");
            }
        }
    }

    /** A container started for one call with its own memory limit (slower than the pool, same isolation). */
    SandboxContainer startOnDemand(int memoryMb) {
        checkUsable();
        try {
            return start(memoryMb);
        } catch (RuntimeException e) {
            throw engineFailed(e);
        }
    }

    /** Removes a used (or unusable) container off the request path. */
    void discard(SandboxContainer container) {
        container.closeQuietly();
        if (closed) {
            removeNow(container.id(), container.ipcDir());
            return;
        }
        removals.execute(() -> removeNow(container.id(), container.ipcDir()));
    }

    private void checkUsable() {
        if (closed) {
            throw new EngineUnavailableException("the sandbox service is shutting down");
        }
        if (!status.ready()) {
            throw new EngineUnavailableException(status.problem());
        }
    }

    /** Runs every second: engine and image check, leftover sweep once, pool top-up. */
    private void maintain() {
        if (closed) {
            return;
        }
        try {
            engine.ping();
        } catch (RuntimeException e) {
            markDown("the container engine at " + config.dockerHost() + " is unreachable (" + rootMessage(e)
                    + "); calls resume when it answers again");
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
                removeLeftovers();
                leftoversRemoved = true;
            }
            if (!status.ready()) {
                LOG.infof("container engine and image %s ready", config.image());
                // Warm containers may have died with an engine restart: drop them, the pool refills.
                drainReady();
            }
            status.up();
            replenish();
            for (String id : List.copyOf(toRetry)) {
                if (toRetry.remove(id)) {
                    removals.execute(() -> removeById(id));
                }
            }
        } catch (RuntimeException e) {
            markDown("the container engine failed: " + rootMessage(e));
        }
    }

    private void markDown(String why) {
        if (status.ready() || !why.equals(status.problem())) {
            LOG.warn(why);
        }
        status.down(why);
    }

    private void removeLeftovers() {
        List<String> leftovers = engine.listOwn().stream().filter(id -> !owned.contains(id)).toList();
        if (!leftovers.isEmpty()) {
            LOG.infof("removing %d leftover containers of instance %s", leftovers.size(), config.instance());
            leftovers.forEach(this::removeById);
        }
    }

    /** Starts containers until ready + starting reaches the pool size (at most max-starting at once). */
    private void replenish() {
        while (!closed && status.ready()) {
            int now = starting.get();
            if (ready.size() + now >= config.pool().size() || now >= config.pool().maxStarting()) {
                return;
            }
            if (starting.compareAndSet(now, now + 1)) {
                starters.execute(this::startForPool);
            }
        }
    }

    private void startForPool() {
        try {
            SandboxContainer container = start(config.limits().defaultMemoryMb());
            if (closed) {
                discard(container);
            } else {
                ready.add(container);
            }
        } catch (RuntimeException e) {
            if (!closed) {
                engineFailed(e);
            }
        } finally {
            starting.decrementAndGet();
        }
    }

    private EngineUnavailableException engineFailed(RuntimeException e) {
        String why = "could not start a sandbox container: " + rootMessage(e);
        LOG.warn(why);
        // A failure to create a container usually means the engine went away; the maintenance check decides.
        return new EngineUnavailableException(why);
    }

    /** Creates a container with its socket directory and waits until its runner connects. */
    private SandboxContainer start(int memoryMb) {
        Path dir = ipcBase.resolve("c-" + UUID.randomUUID());
        ServerSocketChannel server = null;
        String id = null;
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path socket = dir.resolve(ContainerEngine.SOCKET_NAME);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
            // The runner (uid 65534) must be able to connect.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            id = engine.startSandbox(runnerDir, dir, memoryMb);
            owned.add(id);
            metrics.containerCreated();
            ServerSocketChannel listening = server;
            ScheduledFuture<?> giveUp = deadlines.schedule(() -> closeQuietly(listening),
                    config.pool().startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            SocketChannel connection;
            try {
                connection = server.accept();
            } finally {
                giveUp.cancel(false);
            }
            return new SandboxContainer(id, dir, memoryMb, connection);
        } catch (IOException e) {
            if (id != null) {
                discardStarted(id, dir);
            } else {
                deleteDirectory(dir);
            }
            throw new UncheckedIOException(id == null ? e
                    : new IOException("container did not connect within "
                            + config.pool().startTimeout().toSeconds() + " s", e));
        } catch (RuntimeException e) {
            if (id != null) {
                discardStarted(id, dir);
            } else {
                deleteDirectory(dir);
            }
            throw e;
        } finally {
            closeQuietly(server);
        }
    }

    private void discardStarted(String id, Path dir) {
        removals.execute(() -> removeNow(id, dir));
    }

    private void removeNow(String id, Path dir) {
        removeById(id);
        deleteDirectory(dir);
    }

    private void removeById(String id) {
        // Podman refuses to remove a container that is just exiting ("container state improper"): retry a little.
        for (int attempt = 0; attempt < 4; attempt++) {
            try {
                if (engine.remove(id)) {
                    if (owned.remove(id)) {
                        metrics.containerRemoved();
                    }
                    toRetry.remove(id);
                    return;
                }
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    // Retried by the maintenance task; at worst removed at shutdown or by the next start's sweep.
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

    private void drainReady() {
        List<SandboxContainer> stale = new ArrayList<>();
        ready.drainTo(stale);
        stale.forEach(this::discard);
    }

    /** Removes every container of this run (waiting for it) and the socket directories; runs at shutdown. */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        starters.shutdown();
        deadlines.shutdown();
        try {
            starters.awaitTermination(config.pool().startTimeout().toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drainReady();
        removals.shutdown();
        try {
            removals.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Set<String> remaining = ConcurrentHashMap.newKeySet();
        remaining.addAll(owned);
        try {
            remaining.addAll(engine.listOwn());
        } catch (RuntimeException e) {
            LOG.warnf("could not list containers at shutdown: %s", rootMessage(e));
        }
        CompletableFuture.allOf(remaining.stream()
                        .map(id -> CompletableFuture.runAsync(() -> removeById(id)))
                        .toArray(CompletableFuture[]::new))
                .join();
        deleteDirectory(ipcBase);
        LOG.infof("sandbox pool closed; removed %d containers", remaining.size());
    }

    private void prepareDirectories() {
        try {
            Files.createDirectories(runnerDir.resolve("code"));
            Files.createDirectories(runnerDir.resolve("empty"));
            for (Path p : List.of(ipcBase, runnerDir, runnerDir.resolve("code"), runnerDir.resolve("empty"))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Path runner = runnerDir.resolve("code").resolve("aster_runner.py");
            try (InputStream in = ContainerPool.class.getResourceAsStream("/runner/aster_runner.py")) {
                if (in == null) {
                    throw new IOException("runner/aster_runner.py missing from the service's resources");
                }
                Files.copy(in, runner, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(runner, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the socket directory " + ipcBase, e);
        }
    }

    private static void deleteDirectory(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file that cannot be deleted stays; the directory is under the service's own tmp path
                }
            });
        } catch (IOException e) {
            // same as above
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing to do
        }
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
