package org.silo.wire.server;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless address-validation cookies for START (RFC 9000 §8.1, DTLS 1.3's HelloRetryRequest cookie):
 * {@code u64 seconds || HMAC-SHA256(key, address || port || seconds)[0..16)}. The server remembers
 * nothing until the client echoes a valid cookie, so a spoofed source cannot make it allocate state.
 */
final class CookieMint {
    static final int COOKIE_LENGTH = 24;
    private static final int MAC_LENGTH = 16;

    private final SecretKeySpec key;
    private final long lifetimeSeconds;

    CookieMint(long lifetimeSeconds) {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
        this.lifetimeSeconds = lifetimeSeconds;
    }

    byte[] issue(InetSocketAddress client, long nowSeconds) {
        ByteBuffer b = ByteBuffer.allocate(COOKIE_LENGTH);
        b.putLong(nowSeconds).put(mac(client, nowSeconds));
        return b.array();
    }

    boolean valid(byte[] cookie, InetSocketAddress client, long nowSeconds) {
        if (cookie.length != COOKIE_LENGTH) {
            return false;
        }
        long issued = ByteBuffer.wrap(cookie).getLong();
        if (issued > nowSeconds || nowSeconds - issued > lifetimeSeconds) {
            return false;
        }
        byte[] expected = mac(client, issued);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(cookie, 8, COOKIE_LENGTH));
    }

    private byte[] mac(InetSocketAddress client, long seconds) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(client.getAddress().getAddress());
            mac.update(ByteBuffer.allocate(10)
                    .putShort((short) client.getPort())
                    .putLong(seconds)
                    .array());
            return Arrays.copyOf(mac.doFinal(), MAC_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
