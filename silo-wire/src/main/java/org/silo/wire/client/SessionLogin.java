package org.silo.wire.client;

import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Scram;
import org.silo.wire.auth.ScramClient;
import org.silo.wire.op.LoginOps;

/**
 * A client's login (seed 002's LOGIN and PASSWD, SCRAM-SHA-256, docs/protocol.md §4): the rights it
 * holds, and how to log in again without the password in a new session (after DISOLVE, or on another
 * server of the list).
 */
final class SessionLogin {
    /** A login as it can be made again without the password: the list and its saved keys (null for an unprotected list). */
    private record Relogin(String list, Scram.Keys keys) {}

    private final SiloClient client;
    private volatile String rights = "";
    /** The login to repeat in a new session (null: anonymous). */
    private volatile Relogin relogin;

    SessionLogin(SiloClient client) {
        this.client = client;
    }

    String rights() {
        return rights;
    }

    String logout() throws SiloException {
        relogin = null;
        rights = client.call(LoginOps.LOGIN, new LoginOps.Login("", "")).rights();
        return rights;
    }

    Scram.Keys login(String list, char[] password) throws SiloException {
        if (password.length == 0) { // no SCRAM at all: granted if the list is unprotected, else PERMISSION
            rights = client.call(LoginOps.LOGIN, new LoginOps.Login(list, "")).rights();
            relogin = new Relogin(list, null);
            return null;
        }
        return login(list, ScramClient.withPassword(list, password));
    }

    void login(String list, Scram.Keys keys) throws SiloException {
        login(list, ScramClient.withKeys(list, keys));
    }

    private Scram.Keys login(String list, ScramClient scram) throws SiloException {
        LoginOps.Answer challenge = client.call(LoginOps.LOGIN, new LoginOps.Login(list, scram.clientFirst()));
        if (challenge.granted()) {
            rights = challenge.rights();
            relogin = new Relogin(list, null);
            return null;
        }
        try {
            String proof = scram.clientFinal(challenge.serverMessage());
            client.expectKey(scram.sessionKey());
            LoginOps.Answer done = client.call(LoginOps.PASSWD, new LoginOps.Passwd(proof));
            scram.verifyServerFinal(done.serverMessage());
            rights = done.rights();
            relogin = new Relogin(list, scram.keys());
            return scram.keys();
        } catch (Scram.ScramException e) {
            throw SiloException.of(ErrorCode.PERMISSION, "login to '" + list + "' failed: " + e.getMessage());
        }
    }

    LoginStep begin(String list, char[] password) throws SiloException {
        ScramClient scram = ScramClient.withPassword(list, password);
        LoginOps.Answer challenge = client.call(LoginOps.LOGIN, new LoginOps.Login(list, scram.clientFirst()));
        if (challenge.granted()) {
            throw SiloException.invalid("access list '" + list + "' has no password: put LOGIN itself in the message");
        }
        try {
            return new LoginStep(client, list, scram, scram.clientFinal(challenge.serverMessage()));
        } catch (Scram.ScramException e) {
            throw SiloException.of(ErrorCode.PERMISSION, "login to '" + list + "' failed: " + e.getMessage());
        }
    }

    void loggedIn(String list, Scram.Keys keys, String granted) {
        rights = granted;
        relogin = new Relogin(list, keys);
    }

    /** A new session has no rights of its own until {@link #again}. */
    void forget() {
        rights = "";
    }

    /** Logs the new session in as the old one was (nothing if it was anonymous). */
    void again() throws SiloException {
        Relogin r = relogin;
        if (r == null) {
            return;
        }
        if (r.keys() == null) {
            rights = client.call(LoginOps.LOGIN, new LoginOps.Login(r.list(), ""))
                    .rights();
        } else {
            login(r.list(), ScramClient.withKeys(r.list(), r.keys()));
        }
    }
}
