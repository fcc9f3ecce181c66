package org.silo.wire.server;

import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.List;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.auth.Grant;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Scram;
import org.silo.wire.auth.ScramServer;
import org.silo.wire.op.LoginOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed 002's LOGIN and PASSWD for a session, with SCRAM-SHA-256 as the challenge and the proof
 * (docs/protocol.md §4). The exchange's state lives in the {@link Session} between the two.
 */
final class SessionLogin {
    private static final Logger log = LoggerFactory.getLogger(SessionLogin.class);
    private final Authenticator authenticator;
    private final Counter failures;

    SessionLogin(Authenticator authenticator, Counter failures) {
        this.authenticator = authenticator;
        this.failures = failures;
    }

    /**
     * LOGIN (seed 002): an unprotected list is granted at once; a protected one gets the SCRAM challenge;
     * the empty list name goes back to the default access (seed 002: "or wants to change back to the
     * default from whatever"), that of an anonymous session from the same address.
     */
    LoginOps.Answer login(Session s, LoginOps.Login req) throws SiloException {
        if (req.list() == null || req.list().isEmpty()) {
            synchronized (s) {
                s.pendingScram = null; // a half-done login is dropped too: the seed's "revert to default access"
                s.pendingList = null;
            }
            // the session key stays: frames go on being tagged, so the way back cannot be forged either
            s.loggedIn("", authenticator.anonymous(s.address()), s.macKey());
            log.info("{} went back to the default access", s);
            return new LoginOps.Answer(true, "", s.grants().toString());
        }
        authenticator.throttle().check(req.list() == null ? "" : req.list(), s.address());
        Authenticator.AccessList list = authenticator
                .list(req.list())
                .orElseThrow(() -> SiloException.of(ErrorCode.PERMISSION, "no access list named '" + req.list() + "'"));
        if (list.verifier() == null) {
            s.loggedIn(list.name(), withAnonymous(s, list.grants()), s.macKey());
            return new LoginOps.Answer(true, "", s.grants().toString());
        }
        if (req.clientFirst() == null || req.clientFirst().isEmpty()) {
            throw SiloException.of(ErrorCode.PERMISSION, "access list '" + list.name() + "' needs its password");
        }
        ScramServer scram = new ScramServer();
        try {
            String named = scram.readClientFirst(req.clientFirst());
            if (!named.equals(list.name())) {
                throw SiloException.invalid("the SCRAM user '" + named + "' is not the list '" + list.name() + "'");
            }
            String challenge = scram.serverFirst(list.verifier());
            synchronized (s) {
                s.pendingScram = scram;
                s.pendingList = list;
            }
            return new LoginOps.Answer(false, challenge, s.grants().toString());
        } catch (Scram.ScramException e) {
            throw SiloException.malformed("LOGIN: " + e.getMessage());
        }
    }

    /** A login adds to what an anonymous session from the same address may do; it never takes away. */
    private Grants withAnonymous(Session s, Grants list) {
        List<Grant> all = new ArrayList<>(list.grants());
        all.addAll(authenticator.anonymous(s.address()).grants());
        return new Grants(all);
    }

    /** PASSWD: the proof; on success the session takes the list's rights and its key. */
    LoginOps.Answer passwd(Session s, LoginOps.Passwd req) throws SiloException {
        ScramServer scram;
        Authenticator.AccessList list;
        synchronized (s) {
            scram = s.pendingScram;
            list = s.pendingList;
            s.pendingScram = null;
            s.pendingList = null;
        }
        if (scram == null) {
            throw SiloException.invalid("PASSWD without a LOGIN to a protected list before it");
        }
        try {
            String proofOfServer = scram.readClientFinal(req.clientFinal());
            s.loggedIn(list.name(), withAnonymous(s, list.grants()), scram.sessionKey());
            authenticator.throttle().succeeded(list.name(), s.address());
            log.info("{} logged in", s);
            return new LoginOps.Answer(true, proofOfServer, s.grants().toString());
        } catch (Scram.ScramException e) {
            failures.increment();
            authenticator.throttle().failed(list.name(), s.address());
            log.info(
                    "login to '{}' from {} refused: {}",
                    list.name(),
                    s.address().getHostAddress(),
                    e.getMessage());
            throw SiloException.of(ErrorCode.PERMISSION, "login to '" + list.name() + "' refused: " + e.getMessage());
        }
    }
}
