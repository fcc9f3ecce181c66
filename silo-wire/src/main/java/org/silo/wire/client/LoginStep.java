package org.silo.wire.client;

import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Scram;
import org.silo.wire.auth.ScramClient;
import org.silo.wire.op.LoginOps;

/**
 * A LOGIN answered with its challenge, whose PASSWD goes first in a message with other operations
 * ({@link SiloClient#beginLogin}): seed 003's authenticate inside a compound (docs/files.md).
 */
public final class LoginStep {
    private final SiloClient client;
    private final String list;
    private final ScramClient scram;
    private final String proof;

    LoginStep(SiloClient client, String list, ScramClient scram, String proof) {
        this.client = client;
        this.list = list;
        this.scram = scram;
        this.proof = proof;
    }

    /** A message that starts with PASSWD; its answer is tagged with the new session key, which is then taken. */
    public Compound compound() {
        client.expectKey(scram.sessionKey());
        return client.compound().add(LoginOps.PASSWD, new LoginOps.Passwd(proof));
    }

    /** Checks PASSWD's answer, the first result of {@code r}: the server's proof, and the rights granted. */
    public void finish(Reply r) throws SiloException {
        LoginOps.Answer done = SiloClient.decode(LoginOps.PASSWD, r.results().subList(0, 1));
        try {
            scram.verifyServerFinal(done.serverMessage());
        } catch (Scram.ScramException e) {
            throw SiloException.of(ErrorCode.PERMISSION, "login to '" + list + "' failed: " + e.getMessage());
        }
        client.loggedIn(list, scram.keys(), done.rights());
    }
}
