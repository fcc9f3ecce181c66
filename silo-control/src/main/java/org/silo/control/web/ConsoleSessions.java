package org.silo.control.web;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.silo.wire.auth.Grants;

/**
 * Logged-in browser sessions, in memory only: a random 128-bit id (the cookie) to the access list it
 * logged in to. A session ends at logout, after {@code idle} without a request, or when the server
 * stops; at most {@code max} live at once (the oldest expiry goes first), so logins cannot fill memory.
 */
final class ConsoleSessions {
    static final String COOKIE = "silo_session";

    /** A logged-in session: the list, its rights, and when it ends unless used. */
    record Session(String id, String list, Grants grants, long expiresMillis) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration idle;
    private final int max;
    private final Clock clock;

    ConsoleSessions(Duration idle, int max, Clock clock) {
        this.idle = idle;
        this.max = max;
        this.clock = clock;
    }

    Duration idle() {
        return idle;
    }

    Session create(String list, Grants grants) {
        dropExpired();
        while (sessions.size() >= max) {
            sessions.values().stream()
                    .min((a, b) -> Long.compare(a.expiresMillis(), b.expiresMillis()))
                    .ifPresent(oldest -> sessions.remove(oldest.id()));
        }
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        Session s = new Session(HexFormat.of().formatHex(id), list, grants, expiry());
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session with this id, its expiry pushed back; null if unknown or expired. */
    Session find(String id) {
        if (id == null) {
            return null;
        }
        Session s = sessions.get(id);
        if (s == null) {
            return null;
        }
        if (s.expiresMillis() <= clock.millis()) {
            sessions.remove(id);
            return null;
        }
        Session renewed = new Session(s.id(), s.list(), s.grants(), expiry());
        sessions.replace(id, s, renewed);
        return renewed;
    }

    void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    int size() {
        return sessions.size();
    }

    private long expiry() {
        return clock.millis() + idle.toMillis();
    }

    private void dropExpired() {
        long now = clock.millis();
        sessions.values().removeIf(s -> s.expiresMillis() <= now);
    }
}
