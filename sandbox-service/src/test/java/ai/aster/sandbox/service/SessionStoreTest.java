package ai.aster.sandbox.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SessionStoreTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Opens a session, saves a state into it, releases it: one finished call. */
    private static boolean call(SessionStore store, String id, byte[] state) {
        SessionStore.Session s = store.open(id);
        try {
            return store.save(s, state);
        } finally {
            store.release(s);
        }
    }

    @Test
    void keepsStatePerSessionAndExpiresIdleOnes() {
        ManualClock clock = new ManualClock();
        SessionStore store = new SessionStore(Duration.ofMinutes(20).toMillis(), 1 << 20, clock);
        call(store, "a", new byte[] {1, 2, 3});
        SessionStore.Session a = store.open("a");
        assertThat(store.state(a)).containsExactly(1, 2, 3);
        store.release(a);
        call(store, "b", new byte[] {4});
        clock.advance(Duration.ofMinutes(19));
        store.release(store.open("a")); // touching keeps it alive
        clock.advance(Duration.ofMinutes(2));
        store.expire();
        assertThat(store.contains("a")).isTrue();
        assertThat(store.contains("b")).isFalse();
        assertThat(store.totalBytes()).isEqualTo(3);
        SessionStore.Session b = store.open("b");
        assertThat(store.state(b)).isEmpty();
        assertThat(store.takeLost(b)).contains("expired after 20 min");
        assertThat(store.takeLost(b)).isNull(); // said once
    }

    @Test
    void evictsLeastRecentlyUsedBeyondTheTotalBoundAndTellsItsNextCall() {
        ManualClock clock = new ManualClock();
        SessionStore store = new SessionStore(Duration.ofHours(1).toMillis(), 10, clock);
        call(store, "old", new byte[6]);
        clock.advance(Duration.ofSeconds(1));
        call(store, "recent", new byte[6]);
        assertThat(store.contains("old")).isFalse();
        assertThat(store.contains("recent")).isTrue();
        assertThat(store.totalBytes()).isEqualTo(6);
        SessionStore.Session old = store.open("old");
        assertThat(store.takeLost(old)).contains("max-total-bytes");
    }

    @Test
    void aSessionInUseIsNeverEvictedOrExpired() {
        ManualClock clock = new ManualClock();
        SessionStore store = new SessionStore(Duration.ofMinutes(1).toMillis(), 10, clock);
        call(store, "busy", new byte[6]);
        SessionStore.Session busy = store.open("busy"); // a call of it is running
        clock.advance(Duration.ofMinutes(5));
        store.expire();
        assertThat(store.contains("busy")).isTrue();
        // Another session's state does not fit beside the pinned one: that save is refused, busy keeps its state.
        assertThat(call(store, "other", new byte[6])).isFalse();
        assertThat(store.contains("busy")).isTrue();
        assertThat(store.save(busy, new byte[7])).isTrue();
        store.release(busy);
        assertThat(store.totalBytes()).isEqualTo(7);
        // Once released, it can go like any other.
        assertThat(call(store, "other", new byte[6])).isTrue();
        assertThat(store.contains("busy")).isFalse();
    }

    @Test
    void deleteDropsStateAndALateSaveDoesNotResurrectIt() {
        SessionStore store = new SessionStore(60_000, 1 << 20, Clock.systemUTC());
        SessionStore.Session s = store.open("s");
        assertThat(store.delete("s")).isTrue();
        store.save(s, new byte[4]);
        store.release(s);
        assertThat(store.contains("s")).isFalse();
        assertThat(store.totalBytes()).isZero();
        assertThat(store.delete("s")).isFalse();
        assertThat(store.takeLost(store.open("s"))).isNull(); // deleted on request: nothing to report
    }
}
