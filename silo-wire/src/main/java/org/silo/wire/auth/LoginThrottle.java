package org.silo.wire.auth;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Slows password guessing: after {@link #FREE_FAILURES} wrong passwords in a row for one access list
 * from one address, that pair must wait before its next try, 1 s at first and twice as long after each
 * further failure, up to {@link #MAX_WAIT_MS}; a success clears it. Keyed by list and address, so that a
 * guesser cannot lock the rightful user out from elsewhere (guessing from many addresses is slowed only
 * by SCRAM's iterations; docs/security.md). Shared by the message layer's LOGIN, the text protocol and
 * the web console, so that switching front ends does not reset the count.
 */
public final class LoginThrottle {
    public static final int FREE_FAILURES = 5;
    public static final long MAX_WAIT_MS = 300_000;
    /** Pairs remembered at most; the oldest quiet ones are forgotten first. */
    static final int MAX_KEYS = 100_000;

    private record State(int failures, long untilMs, long lastMs) {}

    /** Never refuses: for the open authenticator of tests and embedded use. */
    public static final LoginThrottle NONE = new LoginThrottle(() -> 0L, false);

    /** The wait after the first failure beyond the free ones, by default; it doubles with each further failure. */
    public static final long FIRST_WAIT_MS = 1000;

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final boolean on;
    private final LongSupplier clock;
    private final long firstWaitMs;

    public LoginThrottle() {
        this(FIRST_WAIT_MS);
    }

    /** {@code firstWaitMs}: the wait after the sixth wrong password in a row (the server's {@code login.first-wait}). */
    public LoginThrottle(long firstWaitMs) {
        this(System::currentTimeMillis, true, firstWaitMs);
    }

    LoginThrottle(LongSupplier clock, boolean on) {
        this(clock, on, FIRST_WAIT_MS);
    }

    LoginThrottle(LongSupplier clock, boolean on, long firstWaitMs) {
        this.clock = clock;
        this.on = on;
        this.firstWaitMs = Math.max(1, firstWaitMs);
    }

    /** Refuses (PERMISSION, saying how long to wait) while the pair must wait; the password is not even looked at. */
    public void check(String list, InetAddress from) throws SiloException {
        State s = states.get(key(list, from));
        long now = clock.getAsLong();
        if (s != null && s.untilMs() > now) {
            long seconds = Math.max(1, (s.untilMs() - now + 999) / 1000);
            throw SiloException.of(
                    ErrorCode.PERMISSION,
                    "too many wrong passwords for '" + list + "' from " + from.getHostAddress() + ": try again in "
                            + seconds + " s");
        }
    }

    public void failed(String list, InetAddress from) {
        if (!on) {
            return;
        }
        long now = clock.getAsLong();
        states.compute(key(list, from), (k, s) -> {
            int n = s == null ? 1 : s.failures() + 1;
            long wait = n <= FREE_FAILURES
                    ? 0
                    : Math.min(Math.max(MAX_WAIT_MS, firstWaitMs), firstWaitMs << Math.min(20, n - FREE_FAILURES - 1));
            return new State(n, now + wait, now);
        });
        if (states.size() > MAX_KEYS) {
            forgetQuiet(now);
        }
    }

    public void succeeded(String list, InetAddress from) {
        states.remove(key(list, from));
    }

    private void forgetQuiet(long now) {
        for (Iterator<State> it = states.values().iterator(); it.hasNext(); ) {
            State s = it.next();
            if (s.untilMs() <= now && now - s.lastMs() > MAX_WAIT_MS) {
                it.remove();
            }
        }
    }

    private static String key(String list, InetAddress from) {
        return list + "\0" + from.getHostAddress();
    }
}
