package org.silo.block.nbd;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS for NBD_OPT_STARTTLS from a PEM certificate and key, as qemu-nbd and nbdkit take them
 * ({@code server-cert.pem}, {@code server-key.pem}).
 *
 * <pre>{@code
 * NbdServer.builder(store).tls(NbdTls.serverContext(certPem, keyPem)).requireTls(true).build();
 * }</pre>
 */
public final class NbdTls {
    private NbdTls() {}

    /**
     * A server context. The certificate file may hold a chain (server first). The key must be
     * unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, what {@code openssl genpkey} and
     * OpenSSL 3's {@code req -newkey} write); convert others with {@code openssl pkcs8 -topk8
     * -nocrypt}.
     *
     * @throws IOException when a file is missing or unreadable, or does not hold what it should
     */
    public static SslContext serverContext(Path certificatePem, Path keyPem) throws IOException {
        for (Path p : new Path[] {certificatePem, keyPem}) {
            if (!Files.isReadable(p)) {
                throw new IOException("cannot read " + p);
            }
        }
        try {
            return SslContextBuilder.forServer(certificatePem.toFile(), keyPem.toFile())
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException(
                    "TLS certificate " + certificatePem + " / key " + keyPem + ": " + e.getMessage()
                            + " (the key must be unencrypted PKCS#8 PEM)",
                    e);
        }
    }
}
