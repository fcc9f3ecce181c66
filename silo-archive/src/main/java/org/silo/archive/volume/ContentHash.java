package org.silo.archive.volume;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.silo.wire.SiloException;

/**
 * Content hashes kept beside Adler-32 for files put with {@code --hash md5|sha256}: written
 * {@code ALG:HEX} (lower-case), so that a file can be named by its content, as seed 004 names the
 * files it burns. Adler-32 still proves each copy; the hash names the content.
 */
public final class ContentHash {
    private ContentHash() {}

    /** The algorithm asked for, checked: null (none), {@code md5} or {@code sha256}. */
    public static String algorithm(String alg) throws SiloException {
        if (alg == null || alg.isBlank()) {
            return null;
        }
        return switch (alg.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "md5" -> "md5";
            case "sha256", "sha-256" -> "sha256";
            default -> throw SiloException.invalid("a content hash is md5 or sha256, not '" + alg + "'");
        };
    }

    public static MessageDigest digest(String alg) {
        try {
            return MessageDigest.getInstance(alg.equals("md5") ? "MD5" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has " + alg, e);
        }
    }

    public static String format(String alg, byte[] digest) {
        return alg + ":" + HexFormat.of().formatHex(digest);
    }

    /** Checks a hash used as a name: {@code md5:} and 32 hex digits or {@code sha256:} and 64. */
    public static String parse(String name) throws SiloException {
        String n = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
        if (n.matches("md5:[0-9a-f]{32}") || n.matches("sha256:[0-9a-f]{64}")) {
            return n;
        }
        throw SiloException.invalid("a content hash is md5:HEX32 or sha256:HEX64, not '" + name + "'");
    }

    public static boolean isHash(String name) {
        return name != null && (name.startsWith("md5:") || name.startsWith("sha256:"));
    }
}
