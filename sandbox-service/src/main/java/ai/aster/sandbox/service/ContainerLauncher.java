package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Starts containers: reserves a start slot (at most pool.max-starting at once, pool refills and on-demand starts
 * alike) and room in the {@link ContainerBudget}, creates the container with its socket directory, and waits until
 * its runner connects.
 */
@ApplicationScoped
public class ContainerLauncher {

    /** A start slot and budget room, held from reservation until the container is started (or the start failed). */
    static final class Permit {
        private final int memoryMb;
        private boolean used;

        private Permit(int memoryMb) {
            this.memoryMb = memoryMb;
        }

        int memoryMb() {
            return memoryMb;
        }
    }

    /** The runner did not connect within the start timeout: the engine answers but is slow (busy, not down). */
    static final class StartTimedOutException extends RuntimeException {
        StartTimedOutException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final SandboxConfig config;
    private final ContainerEngine engine;
    private final ContainerBudget budget;
    private final ContainerReaper reaper;
    private final CallTimer timer;
    private final IpcDirectories directories;
    private final Semaphore startSlots;

    public ContainerLauncher(SandboxConfig config, ContainerEngine engine, ContainerBudget budget,
            ContainerReaper reaper, CallTimer timer) {
        this.config = config;
        this.engine = engine;
        this.budget = budget;
        this.reaper = reaper;
        this.timer = timer;
        this.directories = new IpcDirectories(config);
        this.startSlots = new Semaphore(config.pool().maxStarting(), true);
    }

    IpcDirectories directories() {
        return directories;
    }

    /** A permit if a start slot and budget room are free now, else null. */
    Permit tryReserve(int memoryMb) {
        if (!startSlots.tryAcquire()) {
            return null;
        }
        if (!budget.tryReserve(memoryMb)) {
            startSlots.release();
            return null;
        }
        return new Permit(memoryMb);
    }

    /**
     * A permit, waiting until the deadline for a start slot and budget room.
     *
     * @param whenFull run while the budget is full (to give up an idle pooled container)
     * @return null when the deadline passed first
     */
    Permit reserve(int memoryMb, long deadlineNanos, Runnable whenFull) throws InterruptedException {
        if (!startSlots.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return null;
        }
        if (!budget.reserve(memoryMb, deadlineNanos, whenFull)) {
            startSlots.release();
            return null;
        }
        return new Permit(memoryMb);
    }

    /** Gives back a permit that will not be used. */
    void cancel(Permit permit) {
        if (!permit.used) {
            permit.used = true;
            budget.release(permit.memoryMb);
            startSlots.release();
        }
    }

    /**
     * Creates a container with its socket directory and waits until its runner connects; uses up the permit (its
     * budget room then belongs to the container until the reaper removes it).
     *
     * @throws StartTimedOutException when the runner did not connect within the start timeout
     */
    SandboxContainer start(Permit permit) {
        if (permit.used) {
            throw new IllegalStateException("start permit used twice");
        }
        permit.used = true;
        Path dir = null;
        ServerSocketChannel server = null;
        String id = null;
        try {
            dir = directories.newSocketDirectory();
            Path socket = dir.resolve(ContainerEngine.SOCKET_NAME);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
            // The runner (uid 65534) must be able to connect.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            id = engine.startSandbox(directories.runnerDir(), dir, permit.memoryMb);
            reaper.track(id, permit.memoryMb);
            ServerSocketChannel listening = server;
            ScheduledFuture<?> giveUp = timer.after(config.pool().startTimeout().toMillis(),
                    () -> closeQuietly(listening));
            SocketChannel connection;
            try {
                connection = server.accept();
            } finally {
                giveUp.cancel(false);
            }
            return new SandboxContainer(id, dir, permit.memoryMb, connection);
        } catch (IOException e) {
            failed(id, dir, permit);
            if (id != null) {
                throw new StartTimedOutException("container did not connect within "
                        + config.pool().startTimeout().toSeconds() + " s", e);
            }
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            failed(id, dir, permit);
            throw e;
        } finally {
            closeQuietly(server);
            startSlots.release();
        }
    }

    private void failed(String id, Path dir, Permit permit) {
        if (id != null) {
            reaper.remove(id, dir); // gives the budget back once removed
        } else {
            budget.release(permit.memoryMb);
            if (dir != null) {
                IpcDirectories.delete(dir);
            }
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
}
