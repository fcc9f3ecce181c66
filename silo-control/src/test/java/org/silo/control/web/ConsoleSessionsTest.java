package org.silo.control.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.silo.wire.auth.Grants;

class ConsoleSessionsTest {

    /** A clock the test moves. */
    private static final class ManualClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void aSessionEndsAfterItsIdleTimeAndUseExtendsIt() {
        ManualClock clock = new ManualClock();
        ConsoleSessions sessions = new ConsoleSessions(Duration.ofMinutes(30), 10, clock);
        ConsoleSessions.Session s = sessions.create("root", Grants.ALL);
        clock.millis += Duration.ofMinutes(29).toMillis();
        assertThat(sessions.find(s.id())).isNotNull();
        clock.millis += Duration.ofMinutes(29).toMillis();
        assertThat(sessions.find(s.id())).as("renewed by the last use").isNotNull();
        clock.millis += Duration.ofMinutes(30).toMillis();
        assertThat(sessions.find(s.id())).isNull();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void idsAreRandom128BitHexAndUnknownOnesFindNothing() {
        ConsoleSessions sessions = new ConsoleSessions(Duration.ofMinutes(1), 1000, Clock.systemUTC());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            String id = sessions.create("l", Grants.READ).id();
            assertThat(id).matches("[0-9a-f]{32}");
            ids.add(id);
        }
        assertThat(ids).hasSize(500);
        assertThat(sessions.find("0".repeat(32))).isNull();
        assertThat(sessions.find(null)).isNull();
    }

    @Test
    void theCapEndsTheSessionNearestItsExpiry() {
        ManualClock clock = new ManualClock();
        ConsoleSessions sessions = new ConsoleSessions(Duration.ofMinutes(30), 2, clock);
        ConsoleSessions.Session first = sessions.create("a", Grants.READ);
        clock.millis += 1000;
        ConsoleSessions.Session second = sessions.create("b", Grants.READ);
        clock.millis += 1000;
        ConsoleSessions.Session third = sessions.create("c", Grants.READ);
        assertThat(sessions.size()).isEqualTo(2);
        assertThat(sessions.find(first.id())).isNull();
        assertThat(sessions.find(second.id())).isNotNull();
        assertThat(sessions.find(third.id())).isNotNull();
    }
}
