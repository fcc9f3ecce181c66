package org.silo.server.access;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.auth.Grant;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.LoginThrottle;
import org.silo.wire.auth.Right;

/**
 * Who may do what: the access lists of {@link AccessStore}, and the anonymous policy. Out of the box the
 * server listens on loopback only and anonymous sessions there may do everything, as Redis's protected
 * mode allows; on any other address anonymous sessions get the {@code anonymous} setting (read by
 * default), and admin always needs a login.
 */
public final class ServerAccess implements Authenticator {
    /** The {@code anonymous} setting. */
    public enum Anonymous {
        AUTO,
        NONE,
        READ,
        ALL
    }

    private final AccessStore store;
    private final Grants anonymous;
    private final LoginThrottle throttle;

    public ServerAccess(AccessStore store, Anonymous policy, InetAddress listen) {
        this(store, policy, listen, LoginThrottle.FIRST_WAIT_MS);
    }

    /** {@code firstWaitMs}: the {@code login.first-wait} setting (docs/security.md, "Password guessing"). */
    public ServerAccess(AccessStore store, Anonymous policy, InetAddress listen, long firstWaitMs) {
        this.store = store;
        this.anonymous = anonymousGrants(policy, listen);
        this.throttle = new LoginThrottle(firstWaitMs);
    }

    static Grants anonymousGrants(Anonymous policy, InetAddress listen) {
        return switch (policy) {
            case AUTO -> listen.isLoopbackAddress() ? Grants.ALL : Grants.READ;
            case NONE -> Grants.NONE;
            case READ -> Grants.READ;
            // read and write, but admin needs a login unless nobody but this host can connect
            case ALL -> listen.isLoopbackAddress() ? Grants.ALL : new Grants(List.of(new Grant("*", "", Right.WRITE)));
        };
    }

    public static Anonymous parse(String setting) {
        try {
            return Anonymous.valueOf(setting.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("anonymous = '" + setting + "': write auto, none, read or all");
        }
    }

    public Grants anonymousGrants() {
        return anonymous;
    }

    @Override
    public Grants anonymous(InetAddress peer) {
        return anonymous;
    }

    @Override
    public LoginThrottle throttle() {
        return throttle;
    }

    @Override
    public Optional<AccessList> list(String name) {
        return store.find(name);
    }

    public AccessStore store() {
        return store;
    }
}
