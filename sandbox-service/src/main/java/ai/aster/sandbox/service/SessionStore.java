package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Session state between calls, kept outside the containers: per session id, the pickled globals the runner sent
 * back after its last call (opaque bytes here; only ever unpickled inside a sandbox). Bounded in total size (least
 * recently used sessions go first) and dropped after an idle TTL.
 */
@ApplicationScoped
public class SessionStore {

    /** One session; its lock keeps concurrent calls of the same session in order. */
    static final class Session {
        final String id;
        final ReentrantLock lock = new ReentrantLock();
        private volatile byte[] state = new byte[0];
        private volatile long lastUsedMs;

        Session(String id, long now) {
            this.id = id;
            this.lastUsedMs = now;
        }

        byte[] state() {
            return state;
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final long idleTtlMs;
    private final long maxTotalBytes;
    private final Clock clock;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("session-sweeper").daemon().factory());
    private long totalBytes;

    @Inject
    public SessionStore(SandboxConfig config, SandboxMetrics metrics) {
        this(config.sessions().idleTtl().toMillis(), config.sessions().maxTotalBytes(), Clock.systemUTC());
        metrics.gauge("aster.sandbox.sessions", "Sessions held", sessions::size);
        metrics.gauge("aster.sandbox.sessions.state.bytes", "Bytes of session state held", this::totalBytes);
    }

    SessionStore(long idleTtlMs, long maxTotalBytes, Clock clock) {
        this.idleTtlMs = idleTtlMs;
        this.maxTotalBytes = maxTotalBytes;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        sweeper.scheduleWithFixedDelay(this::expire, 30, 30, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        sweeper.shutdownNow();
    }

    /** The session with this id, created empty if unknown (or expired). */
    Session open(String id) {
        expire();
        long now = clock.millis();
        Session session = sessions.computeIfAbsent(id, k -> new Session(k, now));
        session.lastUsedMs = now;
        return session;
    }

    /** Replaces a session's state after a call; evicts least recently used sessions beyond the total bound. */
    synchronized void save(Session session, byte[] state) {
        if (sessions.get(session.id) != session) {
            return; // deleted or expired while its call ran
        }
        totalBytes += state.length - session.state.length;
        session.state = state;
        session.lastUsedMs = clock.millis();
        while (totalBytes > maxTotalBytes) {
            Session oldest = sessions.values().stream()
                    .filter(s -> s != session)
                    .min(Comparator.comparingLong(s -> s.lastUsedMs))
                    .orElse(null);
            if (oldest == null) {
                break;
            }
            drop(oldest);
        }
    }

    /** Drops a session; false if there was none. */
    synchronized boolean delete(String id) {
        Session session = sessions.get(id);
        if (session == null) {
            return false;
        }
        drop(session);
        return true;
    }

    boolean contains(String id) {
        return sessions.containsKey(id);
    }

    synchronized long totalBytes() {
        return totalBytes;
    }

    synchronized void expire() {
        long cutoff = clock.millis() - idleTtlMs;
        sessions.values().stream()
                .filter(s -> s.lastUsedMs < cutoff && !s.lock.isLocked())
                .toList()
                .forEach(this::drop);
    }

    private void drop(Session session) {
        if (sessions.remove(session.id, session)) {
            totalBytes -= session.state.length;
        }
    }
}
