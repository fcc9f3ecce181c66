package org.silo.wire.auth;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The server's access lists, as the message layer needs them: what an anonymous session from an
 * address may do, and the lists a LOGIN may name. The server implements it over its user store.
 */
public interface Authenticator {

    /** An access list: its name, its password verifier (null: not protected), its rights. */
    record AccessList(String name, Scram.Verifier verifier, Grants grants) {}

    Grants anonymous(InetAddress peer);

    Optional<AccessList> list(String name);

    /** How wrong passwords are slowed; every front end that checks passwords goes through the same one. */
    default LoginThrottle throttle() {
        return LoginThrottle.NONE;
    }

    /** Everyone may do everything: for tests and embedded use. */
    Authenticator OPEN = new Authenticator() {
        @Override
        public Grants anonymous(InetAddress peer) {
            return Grants.ALL;
        }

        @Override
        public Optional<AccessList> list(String name) {
            return Optional.empty();
        }
    };
}
