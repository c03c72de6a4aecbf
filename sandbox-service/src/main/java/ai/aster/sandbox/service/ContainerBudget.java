package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The global bound on live containers: how many exist (from creation until the engine confirms their removal) and
 * the sum of their memory limits. A start reserves its share first; removal gives it back.
 */
@ApplicationScoped
public class ContainerBudget {

    private final int maxContainers;
    private final long maxMemoryMb;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private int containers;
    private long memoryMb;

    @Inject
    public ContainerBudget(SandboxConfig config, SandboxMetrics metrics) {
        this(config.maxLiveContainers(), config.maxTotalMemoryMb());
        metrics.gauge("aster.sandbox.containers.live", "Containers that exist (starting, ready, running, "
                + "being removed)", this::containers);
        metrics.gauge("aster.sandbox.containers.memory.mb", "Sum of the memory limits of live containers, MiB",
                this::memoryMb);
    }

    ContainerBudget(int maxContainers, long maxMemoryMb) {
        this.maxContainers = maxContainers;
        this.maxMemoryMb = maxMemoryMb;
    }

    /** Whether a container of this size can ever fit. */
    boolean fits(int containerMemoryMb) {
        return containerMemoryMb <= maxMemoryMb;
    }

    /** Reserves room for one container if there is room now. */
    boolean tryReserve(int containerMemoryMb) {
        lock.lock();
        try {
            if (containers + 1 > maxContainers || memoryMb + containerMemoryMb > maxMemoryMb) {
                return false;
            }
            containers++;
            memoryMb += containerMemoryMb;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reserves room for one container, waiting for removals until the deadline.
     *
     * @param whenFull run (outside the lock) each time the budget is found full, to free room (e.g. give up an
     *                 idle pooled container)
     * @return false when the deadline passed first
     */
    boolean reserve(int containerMemoryMb, long deadlineNanos, Runnable whenFull) throws InterruptedException {
        while (true) {
            if (tryReserve(containerMemoryMb)) {
                return true;
            }
            whenFull.run();
            lock.lock();
            try {
                if (containers + 1 <= maxContainers && memoryMb + containerMemoryMb <= maxMemoryMb) {
                    continue;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Bounded wait: whenFull may have freed room that is released without a signal to this waiter.
                released.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Gives back the room of a container that no longer exists (or was never created). */
    void release(int containerMemoryMb) {
        lock.lock();
        try {
            containers--;
            memoryMb -= containerMemoryMb;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int containers() {
        lock.lock();
        try {
            return containers;
        } finally {
            lock.unlock();
        }
    }

    long memoryMb() {
        lock.lock();
        try {
            return memoryMb;
        } finally {
            lock.unlock();
        }
    }
}
