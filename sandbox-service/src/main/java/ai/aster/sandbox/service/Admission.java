package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Back-pressure: at most max-concurrent executions run, at most max-queued wait (first come, first served, for at
 * most the pool's acquire timeout); anything beyond is refused at once, never left hanging.
 */
@ApplicationScoped
@Startup // its gauges are on /q/metrics from the start, not from the first call
public class Admission {

    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();
    private final int maxQueued;
    private final long maxWaitMs;

    @Inject
    public Admission(SandboxConfig config, SandboxMetrics metrics) {
        this(config.admission().maxConcurrent(), config.admission().maxQueued(),
                config.pool().acquireTimeout().toMillis());
        metrics.gauge("aster.sandbox.queue.depth", "Executions waiting for a slot", waiting::get);
        metrics.gauge("aster.sandbox.executions.active", "Executions running",
                () -> config.admission().maxConcurrent() - slots.availablePermits());
    }

    Admission(int maxConcurrent, int maxQueued, long maxWaitMs) {
        this.slots = new Semaphore(maxConcurrent, true);
        this.maxQueued = maxQueued;
        this.maxWaitMs = maxWaitMs;
    }

    /** A held slot; closing it frees the slot. */
    public interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a slot, waiting in the queue if there is room in it.
     *
     * @throws OverloadedException when every slot and queue place is taken, or the wait ran out
     */
    public Ticket enter() {
        if (waiting.incrementAndGet() > maxQueued && slots.availablePermits() == 0) {
            waiting.decrementAndGet();
            throw new OverloadedException("the sandbox is saturated (all execution slots and queue places taken)");
        }
        boolean acquired;
        try {
            acquired = slots.tryAcquire(maxWaitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        } finally {
            waiting.decrementAndGet();
        }
        if (!acquired) {
            throw new OverloadedException("the sandbox is saturated (no execution slot freed up in time)");
        }
        return slots::release;
    }

    int waiting() {
        return waiting.get();
    }
}
