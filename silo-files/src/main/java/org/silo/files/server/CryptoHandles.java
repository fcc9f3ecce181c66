package org.silo.files.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.silo.files.BerInteger;
import org.silo.files.FilesOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Scram;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;

/**
 * Crypto capabilities (seed 003's crypto_cap): the object, the rights and an expiry, signed with the
 * server's key, so the server keeps no state for them and they survive a restart:
 * {@code u8 version, u8 name type, u8 rights, u64 expiry ms, BER name, [BER INTEGER offset if the type has bit 7],
 * 16-byte HMAC-SHA256 tag}: a device name's offset is signed with it, so the handle opens the same part.
 * The key is kept in {@code <data>/files.key}, mode 0600.
 */
final class CryptoHandles {
    static final int VERSION = 1;
    static final int RIGHT_READ = 1;
    static final int RIGHT_WRITE = 2;
    private static final int TAG = 16;

    /** What a valid crypto handle says; {@code offset} a device's starting byte (-1: none, the whole image). */
    record Claim(int nameType, String name, boolean write, long expiresMillis, long offset) {
        Claim(int nameType, String name, boolean write, long expiresMillis) {
            this(nameType, name, write, expiresMillis, -1);
        }
    }

    private final byte[] key;

    private CryptoHandles(byte[] key) {
        this.key = key;
    }

    static CryptoHandles open(Path keyFile) throws IOException {
        if (Files.exists(keyFile)) {
            byte[] k = Files.readAllBytes(keyFile);
            if (k.length != 32) {
                throw new IOException(keyFile + " is not a 32-byte key");
            }
            return new CryptoHandles(k);
        }
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        Files.createDirectories(keyFile.getParent());
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(keyFile, k);
        return new CryptoHandles(k);
    }

    byte[] issue(Claim c) {
        WireWriter w = new WireWriter();
        boolean withOffset = c.offset() >= 0;
        w.u8(VERSION)
                .u8(withOffset ? c.nameType() | FilesOps.WITH_INTEGER : c.nameType())
                .u8(c.write() ? RIGHT_READ | RIGHT_WRITE : RIGHT_READ)
                .u64(c.expiresMillis())
                .utf8(c.name());
        if (withOffset) {
            BerInteger.write(c.offset(), w);
        }
        byte[] body = w.toByteArray();
        return new WireWriter()
                .bytes(body)
                .bytes(Arrays.copyOf(Scram.hmac(key, body), TAG))
                .toByteArray();
    }

    Claim verify(byte[] handle, long nowMillis) throws SiloException {
        if (handle.length <= TAG) {
            throw SiloException.of(ErrorCode.PERMISSION, "not a crypto capability");
        }
        byte[] body = Arrays.copyOf(handle, handle.length - TAG);
        byte[] tag = Arrays.copyOfRange(handle, handle.length - TAG, handle.length);
        if (!MessageDigest.isEqual(Arrays.copyOf(Scram.hmac(key, body), TAG), tag)) {
            throw SiloException.of(ErrorCode.PERMISSION, "crypto capability refused: its signature does not match");
        }
        WireReader r = new WireReader(body);
        if (r.u8() != VERSION) {
            throw SiloException.of(ErrorCode.PERMISSION, "crypto capability of an unknown version");
        }
        int typeOctet = r.u8();
        int type = typeOctet & ~FilesOps.WITH_INTEGER;
        int rights = r.u8();
        long expires = r.u64();
        String name = r.utf8();
        long offset = typeOctet != type ? BerInteger.read(r) : -1; // signed by us: a well-formed one
        if (nowMillis > expires) {
            throw SiloException.of(ErrorCode.PERMISSION, "crypto capability expired");
        }
        if (type != FilesOps.DEVICE
                && type != FilesOps.FILESYSTEM
                && type != FilesOps.URL
                && type != FilesOps.APPLICATION) {
            throw SiloException.of(ErrorCode.PERMISSION, "crypto capability names an unknown kind of object");
        }
        return new Claim(type, name, (rights & RIGHT_WRITE) != 0, expires, offset);
    }
}
