package ai.aster.sandbox.service;

import ai.aster.sandbox.config.SandboxConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Session state between calls, kept outside the containers: per session id, the pickled globals the runner sent
 * back after its last call (opaque bytes here; only ever unpickled inside a sandbox). Bounded in total size (least
 * recently used sessions go first) and dropped after an idle TTL.
 *
 * <p>A session is pinned from {@link #open} to {@link #release}: a session in use is never evicted or expired. A
 * session that was evicted or expired is remembered (a bounded list of ids), so that its next call is told its
 * earlier state is gone instead of silently starting empty. Hand-written rather than Caffeine: eviction must skip
 * pinned sessions and report what it dropped, under one lock with the byte total.
 */
@ApplicationScoped
public class SessionStore {

    /** How many dropped session ids are remembered to tell their next call. */
    private static final int REMEMBERED_DROPS = 10_000;

    /** One session; its lock keeps concurrent calls of the same session in order. */
    static final class Session {
        final String id;
        final ReentrantLock lock = new ReentrantLock();
        private byte[] state = new byte[0];
        private long lastUsedMs;
        private int pins;
        /** Why the earlier state of this session id is gone, until a call has reported it; else null. */
        private String lost;

        Session(String id, long now) {
            this.id = id;
            this.lastUsedMs = now;
        }
    }

    private final Map<String, Session> sessions = new HashMap<>();
    /** Ids of sessions dropped by the store (not by DELETE), with the reason, oldest first. */
    private final Map<String, String> dropped = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_DROPS;
        }
    };
    private final long idleTtlMs;
    private final long maxTotalBytes;
    private final Clock clock;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("session-sweeper").daemon().factory());
    private long totalBytes;

    @Inject
    public SessionStore(SandboxConfig config, SandboxMetrics metrics) {
        this(config.sessions().idleTtl().toMillis(), config.sessions().maxTotalBytes(), Clock.systemUTC());
        metrics.gauge("aster.sandbox.sessions", "Sessions held", this::size);
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

    /** The session with this id, created empty if unknown (or dropped), pinned until {@link #release}. */
    synchronized Session open(String id) {
        expire();
        long now = clock.millis();
        Session session = sessions.get(id);
        if (session == null) {
            session = new Session(id, now);
            session.lost = dropped.remove(id);
            sessions.put(id, session);
        }
        session.pins++;
        session.lastUsedMs = now;
        return session;
    }

    /** Unpins a session opened for a call. */
    synchronized void release(Session session) {
        session.pins--;
        session.lastUsedMs = clock.millis();
    }

    /** The session's state for its next call. Call with the session's lock held. */
    synchronized byte[] state(Session session) {
        return session.state;
    }

    /**
     * Why this session's earlier state is gone (evicted or expired), once: the call that starts empty because of it
     * reports it; null when nothing was lost. Call with the session's lock held.
     */
    synchronized String takeLost(Session session) {
        String why = session.lost;
        session.lost = null;
        return why;
    }

    /**
     * Replaces a session's state after a call; evicts least recently used unpinned sessions beyond the total bound.
     *
     * @return false when the state cannot be kept (sessions in use hold the whole budget): the session's state is
     *         then empty, and the caller says so in its result
     */
    synchronized boolean save(Session session, byte[] state) {
        if (sessions.get(session.id) != session) {
            return true; // deleted while its call ran: nothing to keep, by request
        }
        totalBytes += state.length - session.state.length;
        session.state = state;
        session.lastUsedMs = clock.millis();
        while (totalBytes > maxTotalBytes) {
            Session oldest = sessions.values().stream()
                    .filter(s -> s != session && s.pins == 0)
                    .min(Comparator.comparingLong(s -> s.lastUsedMs))
                    .orElse(null);
            if (oldest == null) {
                totalBytes -= session.state.length;
                session.state = new byte[0];
                return false;
            }
            drop(oldest, "it was dropped to make room for other sessions (the service's session memory, "
                    + "aster.sandbox.sessions.max-total-bytes, was full)");
        }
        return true;
    }

    /** Drops a session on request; false if there was none. Its next call starts empty without a note. */
    synchronized boolean delete(String id) {
        Session session = sessions.get(id);
        if (session == null) {
            return false;
        }
        sessions.remove(id);
        totalBytes -= session.state.length;
        return true;
    }

    synchronized boolean contains(String id) {
        return sessions.containsKey(id);
    }

    synchronized int size() {
        return sessions.size();
    }

    synchronized long totalBytes() {
        return totalBytes;
    }

    synchronized void expire() {
        long cutoff = clock.millis() - idleTtlMs;
        sessions.values().stream()
                .filter(s -> s.lastUsedMs < cutoff && s.pins == 0)
                .toList()
                .forEach(s -> drop(s, "it expired after " + idle() + " without a call "
                        + "(aster.sandbox.sessions.idle-ttl)"));
    }

    private String idle() {
        Duration ttl = Duration.ofMillis(idleTtlMs);
        return ttl.toSecondsPart() == 0 && ttl.toMinutes() > 0 ? ttl.toMinutes() + " min" : ttl.toSeconds() + " s";
    }

    private void drop(Session session, String why) {
        if (sessions.remove(session.id, session)) {
            totalBytes -= session.state.length;
            if (session.state.length > 0 || session.lost != null) {
                dropped.put(session.id, why);
            }
        }
    }
}
