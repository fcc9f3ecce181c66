package org.silo.wire.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RttEstimatorTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void beforeAnySampleTheTimeoutComesFrom333ms() {
        // RFC 9002 §6.2.2: srtt = 333 ms, rttvar = 166.5 ms, so 333 + 4 * 166.5 + 25 (max_ack_delay) = 1024 ms
        assertThat(new RttEstimator().timeoutNanos()).isBetween(1023 * MS, 1025 * MS);
    }

    @Test
    void followsRfc9002Smoothing() {
        RttEstimator r = new RttEstimator();
        r.sample(100 * MS);
        assertThat(r.smoothedNanos()).isEqualTo(100 * MS);
        assertThat(r.variationNanos()).isEqualTo(50 * MS);
        r.sample(200 * MS);
        assertThat(r.variationNanos()).isEqualTo((3 * 50 * MS + 100 * MS) / 4);
        assertThat(r.smoothedNanos()).isEqualTo((7 * 100 * MS + 200 * MS) / 8);
    }

    @Test
    void loopbackFloorIsTheAckDelayAllowanceAndTheCeilingIs60s() {
        RttEstimator fast = new RttEstimator();
        for (int i = 0; i < 50; i++) {
            fast.sample(50_000); // 50 µs loopback
        }
        // srtt + max(4 rttvar, 1 ms) + 25 ms: about 26 ms, above the 10 ms clamp
        assertThat(fast.timeoutNanos()).isBetween(26 * MS, 27 * MS);
        RttEstimator slow = new RttEstimator();
        slow.sample(TimeUnit.SECONDS.toNanos(100));
        assertThat(slow.timeoutNanos()).isEqualTo(60_000 * MS);
    }

    @Test
    void backsOffByDoublingWithJitter() {
        RttEstimator r = new RttEstimator();
        r.sample(100 * MS);
        long base = r.timeoutNanos(); // 100 + 200 + 25 = 325 ms
        for (int t = 1; t <= 5; t++) {
            long expected = base << (t - 1);
            assertThat(r.timeoutNanos(t)).isBetween((long) (expected * 0.75) - 1, (long) (expected * 1.25) + 1);
        }
        assertThat(r.timeoutNanos(40)).isLessThanOrEqualTo(60_000 * MS);
    }
}
