package org.silo.wire.auth;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import org.silo.wire.auth.Scram.ScramException;

/**
 * The client side of one SCRAM-SHA-256 exchange, from a password or from cached {@link Scram.Keys}.
 *
 * <pre>{@code
 * ScramClient c = ScramClient.withPassword("alice", pw);
 * String first = c.clientFirst();              // LOGIN
 * String fin = c.clientFinal(serverFirst);     // PASSWD
 * c.verifyServerFinal(serverFinal);            // the server knew the verifier
 * byte[] key = c.sessionKey();
 * }</pre>
 */
public final class ScramClient {
    private final String user;
    private final char[] password;
    private final String clientNonce;
    private Scram.Keys keys;
    private String authMessage;

    private ScramClient(String user, char[] password, Scram.Keys keys, String clientNonce) {
        this.user = user;
        this.password = password;
        this.keys = keys;
        this.clientNonce = clientNonce;
    }

    public static ScramClient withPassword(String user, char[] password) {
        return new ScramClient(user, password.clone(), null, Scram.nonce());
    }

    public static ScramClient withKeys(String user, Scram.Keys keys) {
        return new ScramClient(user, null, keys, Scram.nonce());
    }

    /** For the RFC's fixed-nonce example only. */
    static ScramClient withPassword(String user, char[] password, String nonce) {
        return new ScramClient(user, password.clone(), null, nonce);
    }

    private String clientFirstBare() {
        return "n=" + Scram.escape(user) + ",r=" + clientNonce;
    }

    public String clientFirst() {
        return "n,," + clientFirstBare();
    }

    public String clientFinal(String serverFirst) throws ScramException {
        Map<Character, String> a = Scram.attributes(serverFirst);
        String nonce = a.get('r');
        if (nonce == null || !nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw new ScramException("the server's nonce does not extend ours");
        }
        byte[] salt = Scram.unb64(a.getOrDefault('s', ""));
        int iterations;
        try {
            iterations = Integer.parseInt(a.getOrDefault('i', ""));
        } catch (NumberFormatException e) {
            throw new ScramException("bad iteration count");
        }
        if (iterations < Scram.MIN_ITERATIONS) {
            throw new ScramException(
                    "the server asks for " + iterations + " iterations, fewer than " + Scram.MIN_ITERATIONS);
        }
        if (password != null) {
            keys = Scram.Keys.of(password, salt, iterations);
            Arrays.fill(password, '\0');
        } else if (!Arrays.equals(keys.salt(), salt) || keys.iterations() != iterations) {
            throw new ScramException("the password changed since this login was saved: log in again");
        }
        String withoutProof = "c=biws,r=" + nonce;
        authMessage = clientFirstBare() + "," + serverFirst + "," + withoutProof;
        byte[] signature = Scram.hmac(Scram.sha256(keys.clientKey()), authMessage);
        return withoutProof + ",p=" + Scram.b64(Scram.xor(keys.clientKey(), signature));
    }

    public void verifyServerFinal(String serverFinal) throws ScramException {
        Map<Character, String> a = Scram.attributes(serverFinal);
        if (a.containsKey('e')) {
            throw new ScramException("server refused: " + a.get('e'));
        }
        byte[] expected = Scram.hmac(keys.serverKey(), authMessage);
        if (!MessageDigest.isEqual(expected, Scram.unb64(a.getOrDefault('v', "")))) {
            throw new ScramException("the server could not prove it knows the password's verifier");
        }
    }

    public byte[] sessionKey() {
        return Scram.sessionKey(keys.clientKey(), authMessage);
    }

    /** The keys to save for logging in again without the password. */
    public Scram.Keys keys() {
        return keys;
    }
}
