package org.silo.block.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.ImageStore;
import org.silo.block.image.Policy;

/**
 * Per-image policy over NBD (docs/block.md, "Access policy"). A client bound to 127.0.0.2 plays another host; both it
 * and 127.0.0.1 are loopback on Linux.
 */
class NbdPolicyTest {
    private static final int SIZE = 1 << 20;
    private static final int ERR_UNKNOWN = 0x80000006;

    @TempDir
    Path dir;

    ImageStore store;
    NbdServer server;
    InetAddress here;
    InetAddress other;

    @BeforeEach
    void start() throws Exception {
        here = InetAddress.getByName("127.0.0.1");
        other = InetAddress.getByName("127.0.0.2");
        store = new ImageStore(dir.resolve("images"));
        store.create("listed", SIZE, false);
        store.setPolicy("listed", Policy.parse("hosts:127.0.0.1"));
        store.create("shelf", SIZE, false);
        store.setPolicy("shelf", Policy.READ_ONLY);
        store.create("free", SIZE, false);
        server =
                NbdServer.builder(store).port(0).defaultExport("listed").build().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static List<String> list(RawNbdClient c) throws Exception {
        c.option(3, new byte[0]);
        List<String> names = new ArrayList<>();
        for (RawNbdClient.OptionReply r = c.optionReply(); r.type() == 2; r = c.optionReply()) {
            names.add(new String(r.data(), 4, r.data().length - 4, StandardCharsets.UTF_8));
        }
        return names;
    }

    @Test
    void anUnlistedAddressNeitherSeesNorOpensTheExport() throws Exception {
        try (var c = new RawNbdClient(server.port(), other)) {
            c.clientFlags(3);
            assertThat(list(c)).containsExactly("free", "shelf");
            c.option(6, RawNbdClient.infoData("listed"));
            RawNbdClient.OptionReply info = c.optionReply();
            assertThat(info.type()).isEqualTo(ERR_UNKNOWN);
            c.option(6, RawNbdClient.infoData("missing"));
            RawNbdClient.OptionReply missing = c.optionReply();
            assertThat(missing.type()).isEqualTo(ERR_UNKNOWN);
            // Word for word what a missing export gets: nothing tells the two apart.
            assertThat(new String(info.data(), StandardCharsets.UTF_8).replace("listed", "X"))
                    .isEqualTo(new String(missing.data(), StandardCharsets.UTF_8).replace("missing", "X"));
            c.option(7, RawNbdClient.infoData("")); // the default export is the listed one
            assertThat(c.optionReply().type()).isEqualTo(ERR_UNKNOWN);
            c.option(8, new byte[0]);
            c.expectAck();
            c.option(10, RawNbdClient.metaData("listed", "base:allocation"));
            assertThat(c.optionReply().type()).isEqualTo(ERR_UNKNOWN);
            c.option(7, RawNbdClient.infoData("listed"));
            assertThat(c.optionReply().type()).isEqualTo(ERR_UNKNOWN);
            // Negotiation goes on, and an export the policy allows still opens.
            c.option(7, RawNbdClient.infoData("free"));
            assertThat(c.optionReply().type()).isEqualTo(3); // INFO_EXPORT
            c.expectAck();
            c.request(0, 1, 1, 0, 512, new byte[512]);
            assertThat(c.simpleReply()).containsExactly(0, 1);
        }
        try (var c = new RawNbdClient(server.port(), other)) {
            c.clientFlags(3);
            c.option(1, "listed".getBytes(StandardCharsets.UTF_8));
            assertThat(c.closedByServer()).isTrue(); // as for an unknown export: proto.md, no reply
        }
        assertThat(store.info("listed").holders()).isEmpty();
    }

    @Test
    void aListedAddressSeesOpensAndWrites() throws Exception {
        try (var c = new RawNbdClient(server.port(), here)) {
            c.clientFlags(3);
            assertThat(list(c)).containsExactly("free", "listed", "shelf");
            c.option(6, RawNbdClient.infoData("listed"));
            ByteBuffer export = ByteBuffer.wrap(c.optionReply().data());
            export.getShort();
            assertThat(export.getLong()).isEqualTo(SIZE);
            assertThat(export.getShort() & 2).isZero(); // not READ_ONLY
            c.expectAck();
            c.option(7, RawNbdClient.infoData("listed"));
            c.optionReply();
            c.expectAck();
            c.request(0, 1, 1, 0, 512, new byte[512]);
            assertThat(c.simpleReply()).containsExactly(0, 1);
        }
    }

    @Test
    void readOnlyPolicyOffersTheExportReadOnlyAndWritesGetEperm() throws Exception {
        for (InetAddress from : new InetAddress[] {here, other}) {
            try (var c = new RawNbdClient(server.port(), from)) {
                c.clientFlags(3);
                c.option(6, RawNbdClient.infoData("shelf"));
                ByteBuffer info = ByteBuffer.wrap(c.optionReply().data());
                info.getShort();
                info.getLong();
                assertThat(info.getShort() & 2).isEqualTo(2); // NBD_FLAG_READ_ONLY
                c.expectAck();
                c.option(7, RawNbdClient.infoData("shelf"));
                ByteBuffer go = ByteBuffer.wrap(c.optionReply().data());
                go.getShort();
                go.getLong();
                assertThat(go.getShort() & 2).isEqualTo(2);
                c.expectAck();
                c.request(0, 1, 1, 0, 512, new byte[512]);
                assertThat(c.simpleReply()).containsExactly(1, 1); // EPERM
                c.request(0, 4, 2, 0, 512, null); // TRIM
                assertThat(c.simpleReply()).containsExactly(1, 2);
                c.request(0, 0, 3, 0, 512, null);
                assertThat(c.simpleReply()).containsExactly(0, 3);
                c.in.readFully(new byte[512]);
            }
        }
        // A read-only policy does not take the writer lease: an image stays free for local use.
        assertThat(store.hasWriter("shelf")).isFalse();
    }

    @Test
    void exportNameUnderReadOnlyPolicyIsServedReadOnly() throws Exception {
        try (var c = new RawNbdClient(server.port(), other)) {
            c.clientFlags(3);
            c.option(1, "shelf".getBytes(StandardCharsets.UTF_8));
            assertThat(c.in.readLong()).isEqualTo(SIZE);
            assertThat(c.in.readUnsignedShort() & 2).isEqualTo(2);
            c.request(0, 1, 9, 0, 512, new byte[512]);
            assertThat(c.simpleReply()).containsExactly(1, 9);
        }
    }
}
