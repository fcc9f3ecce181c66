package org.silo.wire.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives of SCRAM-SHA-256 (RFC 5802 §3, RFC 7677) and Silo's session key. Hand-written because
 * no maintained Java library offers the server side (pgjdbc's SCRAM library is a client); RFC 7677's
 * example exchange is the test ({@code ScramTest}). Names and passwords are taken as UTF-8 without
 * SASLprep; the only escaping is RFC 5802's {@code =2C} and {@code =3D} in the user name.
 */
public final class Scram {
    private Scram() {}

    public static final int MIN_ITERATIONS = 4096;
    public static final int DEFAULT_ITERATIONS = 15000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the server stores for a password: never the password (RFC 5802 §3). */
    public record Verifier(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
        public static Verifier of(char[] password, int iterations) {
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            Keys k = Keys.of(password, salt, iterations);
            return new Verifier(salt, iterations, sha256(k.clientKey()), k.serverKey());
        }

        /**
         * Whether a password given in clear (the web console's and the text protocol's LOGIN) is the one
         * this verifier was made from: RFC 5802's StoredKey = H(ClientKey), compared in constant time.
         */
        public boolean matches(char[] password) {
            Keys k = Keys.of(password, salt, iterations);
            return MessageDigest.isEqual(sha256(k.clientKey()), storedKey);
        }
    }

    /** ClientKey and ServerKey: enough to log in again without the password (RFC 5802 §5.1). */
    public record Keys(byte[] salt, int iterations, byte[] clientKey, byte[] serverKey) {
        public static Keys of(char[] password, byte[] salt, int iterations) {
            byte[] salted = saltedPassword(password, salt, iterations);
            return new Keys(salt, iterations, hmac(salted, "Client Key"), hmac(salted, "Server Key"));
        }
    }

    static byte[] saltedPassword(char[] password, byte[] salt, int iterations) {
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            return f.generateSecret(new PBEKeySpec(password, salt, iterations, 256))
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
    }

    public static byte[] hmac(byte[] key, String data) {
        return hmac(key, data.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    /** Silo's session key: only the two ends know ClientKey (docs/protocol.md §4, LOGIN). */
    public static byte[] sessionKey(byte[] clientKey, String authMessage) {
        return hmac(clientKey, "silo session key" + authMessage);
    }

    static String nonce() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    static String escape(String user) {
        return user.replace("=", "=3D").replace(",", "=2C");
    }

    static String unescape(String user) throws ScramException {
        if (user.matches(".*=(?!2C|3D).*")) {
            throw new ScramException("bad escape in user name");
        }
        return user.replace("=2C", ",").replace("=3D", "=");
    }

    /** Parses "a=1,b=2" attributes; values may contain '='. */
    static Map<Character, String> attributes(String message) throws ScramException {
        Map<Character, String> m = new HashMap<>();
        for (String part : message.split(",", -1)) {
            if (part.length() < 2 || part.charAt(1) != '=') {
                throw new ScramException("malformed SCRAM attribute '" + part + "'");
            }
            m.put(part.charAt(0), part.substring(2));
        }
        return m;
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static byte[] unb64(String s) throws ScramException {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new ScramException("bad base64 in SCRAM message");
        }
    }

    /** A SCRAM message that is malformed or a proof that does not verify. */
    public static final class ScramException extends Exception {
        private static final long serialVersionUID = 1L;

        public ScramException(String message) {
            super(message);
        }
    }
}
