package ai.aster.sandbox.service;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Timer for call deadlines and container start timeouts. Its own thread: the engine monitor's timer may block on
 * the engine, a deadline must not wait for that.
 */
@ApplicationScoped
public class CallTimer {

    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, Thread.ofPlatform()
            .name("sandbox-deadlines").daemon().factory());

    ScheduledFuture<?> after(long millis, Runnable action) {
        return timer.schedule(action, millis, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }
}
