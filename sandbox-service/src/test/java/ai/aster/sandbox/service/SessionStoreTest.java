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

    @Test
    void keepsStatePerSessionAndExpiresIdleOnes() {
        ManualClock clock = new ManualClock();
        SessionStore store = new SessionStore(Duration.ofMinutes(20).toMillis(), 1 << 20, clock);
        SessionStore.Session a = store.open("a");
        store.save(a, new byte[] {1, 2, 3});
        assertThat(store.open("a").state()).containsExactly(1, 2, 3);
        assertThat(store.open("b").state()).isEmpty();
        clock.advance(Duration.ofMinutes(19));
        store.open("a"); // touching keeps it alive
        clock.advance(Duration.ofMinutes(2));
        store.expire();
        assertThat(store.contains("a")).isTrue();
        assertThat(store.contains("b")).isFalse();
        assertThat(store.totalBytes()).isEqualTo(3);
    }

    @Test
    void evictsLeastRecentlyUsedBeyondTheTotalBound() {
        ManualClock clock = new ManualClock();
        SessionStore store = new SessionStore(Duration.ofHours(1).toMillis(), 10, clock);
        SessionStore.Session old = store.open("old");
        store.save(old, new byte[6]);
        clock.advance(Duration.ofSeconds(1));
        SessionStore.Session recent = store.open("recent");
        store.save(recent, new byte[6]);
        assertThat(store.contains("old")).isFalse();
        assertThat(store.contains("recent")).isTrue();
        assertThat(store.totalBytes()).isEqualTo(6);
    }

    @Test
    void deleteDropsStateAndALateSaveDoesNotResurrectIt() {
        SessionStore store = new SessionStore(60_000, 1 << 20, Clock.systemUTC());
        SessionStore.Session s = store.open("s");
        assertThat(store.delete("s")).isTrue();
        store.save(s, new byte[4]);
        assertThat(store.contains("s")).isFalse();
        assertThat(store.totalBytes()).isZero();
        assertThat(store.delete("s")).isFalse();
    }
}
