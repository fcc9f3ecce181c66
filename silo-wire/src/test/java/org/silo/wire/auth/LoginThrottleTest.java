package org.silo.wire.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The wait after wrong passwords, on a clock the test moves. */
class LoginThrottleTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final LoginThrottle t = new LoginThrottle(now::get, true);
    final InetAddress home = InetAddress.getLoopbackAddress();
    final InetAddress away = InetAddress.getByAddress(new byte[] {10, 0, 0, 9});

    LoginThrottleTest() throws Exception {}

    @Test
    void fiveFailuresAreFreeThenTheWaitDoublesUpToFiveMinutes() throws Exception {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            t.check("alice", home);
            t.failed("alice", home);
        }
        assertThatCode(() -> t.check("alice", home)).doesNotThrowAnyException();
        long[] waits = {1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300};
        for (long seconds : waits) {
            t.failed("alice", home);
            assertThatThrownBy(() -> t.check("alice", home)).hasMessageEndingWith("try again in " + seconds + " s");
            now.addAndGet(seconds * 1000 - 1);
            assertThatThrownBy(() -> t.check("alice", home)).hasMessageEndingWith("try again in 1 s");
            now.addAndGet(1);
            t.check("alice", home);
        }
    }

    @Test
    void anotherAddressOrListIsNotHeldUpAndASuccessClearsTheCount() throws Exception {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES + 3; i++) {
            t.failed("alice", away);
        }
        assertThatThrownBy(() -> t.check("alice", away)).hasMessageContaining("from 10.0.0.9");
        t.check("alice", home);
        t.check("bob", away);
        now.addAndGet(LoginThrottle.MAX_WAIT_MS);
        t.succeeded("alice", away);
        t.failed("alice", away);
        assertThatCode(() -> t.check("alice", away))
                .as("the count started again")
                .doesNotThrowAnyException();
    }

    @Test
    void theOpenThrottleNeverRefuses() throws Exception {
        for (int i = 0; i < 100; i++) {
            LoginThrottle.NONE.failed("alice", home);
        }
        LoginThrottle.NONE.check("alice", home);
        assertThat(LoginThrottle.FREE_FAILURES).isEqualTo(5);
    }
}
