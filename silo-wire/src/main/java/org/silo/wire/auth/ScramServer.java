package org.silo.wire.auth;

import java.security.MessageDigest;
import java.util.Map;
import org.silo.wire.auth.Scram.ScramException;

/** The server side of one SCRAM-SHA-256 exchange (RFC 5802 §3 and §5). */
public final class ScramServer {
    private final String serverNonce;
    private String user;
    private String clientFirstBare;
    private String serverFirst;
    private Scram.Verifier verifier;
    private String authMessage;
    private byte[] clientKey;

    public ScramServer() {
        this(Scram.nonce());
    }

    ScramServer(String serverNonce) {
        this.serverNonce = serverNonce;
    }

    /** Reads client-first-message; returns the user name it names. */
    public String readClientFirst(String clientFirst) throws ScramException {
        if (!clientFirst.startsWith("n,,")) {
            throw new ScramException("only the gs2 header 'n,,' (no channel binding) is supported");
        }
        clientFirstBare = clientFirst.substring(3);
        Map<Character, String> a = Scram.attributes(clientFirstBare);
        if (!a.containsKey('n') || !a.containsKey('r') || a.get('r').isEmpty()) {
            throw new ScramException("client-first-message needs n= and r=");
        }
        user = Scram.unescape(a.get('n'));
        return user;
    }

    /** The challenge, given the verifier of the named user. */
    public String serverFirst(Scram.Verifier v) throws ScramException {
        this.verifier = v;
        String clientNonce = Scram.attributes(clientFirstBare).get('r');
        serverFirst = "r=" + clientNonce + serverNonce + ",s=" + Scram.b64(v.salt()) + ",i=" + v.iterations();
        return serverFirst;
    }

    /** Checks the proof; returns server-final-message, or throws when the proof is wrong. */
    public String readClientFinal(String clientFinal) throws ScramException {
        if (verifier == null) {
            throw new ScramException("PASSWD before LOGIN");
        }
        int p = clientFinal.lastIndexOf(",p=");
        if (p < 0) {
            throw new ScramException("client-final-message has no proof");
        }
        String withoutProof = clientFinal.substring(0, p);
        Map<Character, String> a = Scram.attributes(withoutProof);
        String expectedNonce = Scram.attributes(serverFirst).get('r');
        if (!expectedNonce.equals(a.get('r')) || !"biws".equals(a.get('c'))) {
            throw new ScramException("client-final-message does not match this exchange");
        }
        authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] proof = Scram.unb64(clientFinal.substring(p + 3));
        byte[] signature = Scram.hmac(verifier.storedKey(), authMessage);
        if (proof.length != signature.length) {
            throw new ScramException("wrong password");
        }
        byte[] key = Scram.xor(proof, signature);
        if (!MessageDigest.isEqual(Scram.sha256(key), verifier.storedKey())) {
            throw new ScramException("wrong password");
        }
        clientKey = key;
        return "v=" + Scram.b64(Scram.hmac(verifier.serverKey(), authMessage));
    }

    public String user() {
        return user;
    }

    public byte[] sessionKey() {
        return Scram.sessionKey(clientKey, authMessage);
    }
}
