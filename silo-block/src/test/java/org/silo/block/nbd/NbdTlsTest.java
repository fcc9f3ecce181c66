package org.silo.block.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.ImageStore;

/**
 * NBD_OPT_STARTTLS (proto.md "TLS support") with a self-signed certificate made by openssl in a
 * temporary directory, laid out as libnbd (gnutls) and qemu expect: {@code ca-cert.pem} in the
 * client's directory, {@code server-cert.pem} and {@code server-key.pem} for the server.
 */
class NbdTlsTest {
    private static final int SIZE = 1 << 20;
    private static final int ERR_INVALID = 0x80000003;
    private static final int ERR_TLS_REQD = 0x80000005;

    @TempDir
    static Path certs;

    @TempDir
    Path dir;

    NbdServer server;

    @BeforeAll
    static void makeCertificate() throws Exception {
        NbdTestTools.require("openssl");
        NbdTestTools.run(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-days",
                        "2",
                        "-subj",
                        "/CN=localhost",
                        "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-addext",
                        "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
                        "-addext",
                        "extendedKeyUsage=serverAuth",
                        "-keyout",
                        certs.resolve("server-key.pem").toString(),
                        "-out",
                        certs.resolve("server-cert.pem").toString())
                .ok();
        // Self-signed: the server's certificate is its own CA.
        Files.copy(certs.resolve("server-cert.pem"), certs.resolve("ca-cert.pem"));
    }

    private NbdServer start(boolean require) throws Exception {
        ImageStore store = new ImageStore(dir.resolve("images"));
        if (!store.exists("disk")) {
            store.create("disk", SIZE, false);
        }
        server = NbdServer.builder(store)
                .port(0)
                .tls(NbdTls.serverContext(certs.resolve("server-cert.pem"), certs.resolve("server-key.pem")))
                .requireTls(require)
                .build()
                .start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static SSLSocketFactory trusting() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.resolve("ca-cert.pem"))) {
            trust.setCertificateEntry(
                    "silo", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }

    @Test
    void requiredTlsRefusesOptionsUntilStartTlsThenServesInsideTls() throws Exception {
        start(true);
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(3, new byte[0]); // LIST
            assertThat(c.optionReply().type()).isEqualTo(ERR_TLS_REQD);
            c.option(7, RawNbdClient.infoData("disk")); // GO
            assertThat(c.optionReply().type()).isEqualTo(ERR_TLS_REQD);
            c.option(8, new byte[0]); // STRUCTURED_REPLY
            assertThat(c.optionReply().type()).isEqualTo(ERR_TLS_REQD);
            c.option(5, new byte[] {1}); // STARTTLS carries no data
            assertThat(c.optionReply().type()).isEqualTo(ERR_INVALID);
            c.option(5, new byte[0]);
            c.expectAck();
            c.upgrade(trusting());
            c.option(5, new byte[0]); // again, inside TLS
            assertThat(c.optionReply().type()).isEqualTo(ERR_INVALID);
            c.option(3, new byte[0]);
            assertThat(c.optionReply().type()).isEqualTo(2);
            c.expectAck();
            c.option(7, RawNbdClient.infoData("disk"));
            ByteBuffer export = ByteBuffer.wrap(c.optionReply().data());
            export.getShort();
            assertThat(export.getLong()).isEqualTo(SIZE);
            c.expectAck();
            byte[] data = new byte[65536];
            Arrays.fill(data, (byte) 0x3c);
            c.request(0, 1, 1, 4096, data.length, data);
            assertThat(c.simpleReply()).containsExactly(0, 1);
            c.request(0, 0, 2, 4096, data.length, null);
            assertThat(c.simpleReply()).containsExactly(0, 2);
            byte[] back = new byte[data.length];
            c.in.readFully(back);
            assertThat(back).isEqualTo(data);
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofMinutes(2))
                .until(() -> server.config().store().info("disk").holders().isEmpty());
    }

    @Test
    void exportNameBeforeRequiredTlsClosesTheConnection() throws Exception {
        start(true);
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(1, "disk".getBytes(StandardCharsets.UTF_8));
            assertThat(c.closedByServer()).isTrue(); // proto.md: EXPORT_NAME cannot carry an error
        }
    }

    @Test
    void bytesSentBehindStartTlsCloseTheConnection() throws Exception {
        start(false);
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            // STARTTLS and a plaintext LIST in one segment: the LIST must never count as sent in TLS.
            ByteBuffer b = ByteBuffer.allocate(32);
            b.putLong(RawNbdClient.IHAVEOPT).putInt(5).putInt(0);
            b.putLong(RawNbdClient.IHAVEOPT).putInt(3).putInt(0);
            c.out.write(b.array());
            c.out.flush();
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void optionalTlsStillServesPlainClients() throws Exception {
        start(false);
        try (var c = new RawNbdClient(server.port())) {
            assertThat(c.go("disk", true)).isEqualTo(SIZE);
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateGetsNothing() throws Exception {
        start(true);
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(5, new byte[0]);
            c.expectAck();
            assertThatThrownBy(() -> c.upgrade((SSLSocketFactory) SSLSocketFactory.getDefault()))
                    .isInstanceOf(javax.net.ssl.SSLException.class);
        }
        // The server is unharmed.
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(5, new byte[0]);
            c.expectAck();
            c.upgrade(trusting());
            c.option(3, new byte[0]);
            assertThat(c.optionReply().type()).isEqualTo(2);
        }
    }

    @Test
    void nbdshWritesAndReadsOverTls() throws Exception {
        start(true);
        String out = NbdTestTools.nbdsh(
                        "-c", "h.set_tls(nbd.TLS_REQUIRE)",
                        "-c", "h.set_tls_certificates('" + certs + "')",
                        "-c", "h.set_export_name('disk')",
                        "-c", "h.connect_tcp('127.0.0.1', '" + server.port() + "')",
                        "-c", "assert h.get_tls_negotiated()",
                        "-c", "assert h.get_size() == " + SIZE,
                        "-c", "h.pwrite(b'\\xab' * 4096, 8192)",
                        "-c", "h.flush()",
                        "-c", "assert h.pread(4096, 8192) == b'\\xab' * 4096",
                        "-c", "print('tls ok', h.get_protocol())")
                .ok()
                .output();
        assertThat(out).contains("tls ok newstyle-fixed");
    }

    @Test
    void plainNbdinfoIsRefusedWhenTlsIsRequired() throws Exception {
        NbdTestTools.require("nbdinfo");
        start(true);
        NbdTestTools.Run run = NbdTestTools.run("nbdinfo", "nbd://127.0.0.1:" + server.port() + "/disk");
        assertThat(run.exit()).as(run.output()).isNotZero();
        NbdTestTools.Run tls = NbdTestTools.run(
                        "nbdinfo", "nbds://127.0.0.1:" + server.port() + "/disk?tls-certificates=" + certs)
                .ok();
        assertThat(tls.output()).contains("export-size: " + SIZE);
    }

    @Test
    void qemuImgConvertsOverTls() throws Exception {
        NbdTestTools.require("qemu-img");
        start(true);
        Path local = dir.resolve("local.img");
        byte[] data = new byte[SIZE];
        new java.util.Random(7).nextBytes(data);
        Files.write(local, data);
        String target = "driver=nbd,host=127.0.0.1,port=" + server.port() + ",export=disk,tls-creds=tls0";
        String creds = "tls-creds-x509,id=tls0,dir=" + certs + ",endpoint=client";
        NbdTestTools.run(
                        "qemu-img",
                        "convert",
                        "-n",
                        "--object",
                        creds,
                        "-f",
                        "raw",
                        local.toString(),
                        "--target-image-opts",
                        target)
                .ok();
        Path copy = dir.resolve("copy.img");
        NbdTestTools.run("qemu-img", "convert", "--object", creds, "--image-opts", target, "-O", "raw", copy.toString())
                .ok();
        assertThat(Files.readAllBytes(copy)).isEqualTo(data);
    }

    @Test
    void unreadableOrWrongPemFilesGiveAClearError() throws Exception {
        assertThatThrownBy(() -> NbdTls.serverContext(certs.resolve("none.pem"), certs.resolve("x")))
                .hasMessageContaining("cannot read");
        assertThatThrownBy(
                        () -> NbdTls.serverContext(certs.resolve("server-key.pem"), certs.resolve("server-cert.pem")))
                .isInstanceOf(java.io.IOException.class);
    }
}
