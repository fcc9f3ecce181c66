package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Ls;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.NsList;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.Operation;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * ls over the message layer: a page at a time with a cursor, and a client from before paging (the path
 * alone as UTF-8, a reply without {@code next}) still served as it was.
 */
class LsOverWireTest {
    @TempDir
    Path data;

    ArchiveService archive;
    WireServer server;
    SiloClient client;

    /** ls as a client from before paging knew it: the request a path in UTF-8, the reply two fields. */
    record OldNsList(String path, List<NsEntry> entries) {}

    static final Operation<String, OldNsList> OLD_LS =
            new Operation<>(0x0421, "ls", Codecs.UTF8, Codecs.cbor(OldNsList.class));

    @BeforeEach
    void start() throws Exception {
        archive = ArchiveService.open(data, null);
        Dispatcher d = new Dispatcher();
        archive.register(d);
        server = WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
        client = SiloClient.connect(ClientOptions.to(server.address()));
        client.call(FileClerkOps.MKDIR, new Mkdir("/d", false, "t"));
        for (int i = 0; i < 7; i++) {
            client.call(
                    FileClerkOps.WRITE_FILE,
                    new WriteFile(
                            "w" + i,
                            "/d/f" + i,
                            ("file " + i).getBytes(StandardCharsets.UTF_8),
                            null,
                            null,
                            null,
                            "t"));
        }
        client.call(FileClerkOps.MKDIR, new Mkdir("/d/sub", false, "t"));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (archive != null) {
            archive.close();
        }
    }

    @Test
    void pagesFollowTheCursorToTheEnd() throws Exception {
        List<String> names = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            NsList page = client.call(FileClerkOps.LS, new Ls("/d", cursor, 3));
            assertThat(page.path()).isEqualTo("/d");
            assertThat(page.entries().size()).isBetween(1, 3);
            page.entries().forEach(e -> names.add(e.name()));
            sizes.add(page.entries().size());
            cursor = page.next();
        } while (cursor != null);
        assertThat(names).containsExactly("f0", "f1", "f2", "f3", "f4", "f5", "f6", "sub");
        assertThat(sizes).containsExactly(3, 3, 2);
        NsList f3 = client.call(FileClerkOps.LS, new Ls("/d", "f2", 1));
        assertThat(f3.entries()).singleElement().satisfies(e -> {
            assertThat(e.size()).isEqualTo("file 3".length());
            assertThat(e.adler32()).isNotNull();
            assertThat(e.volume()).isNotNull();
        });
        assertThat(f3.next()).isEqualTo("f3");
    }

    @Test
    void aClientFromBeforePagingGetsTheWholeDirectoryInTheOldForm() throws Exception {
        OldNsList old = client.call(OLD_LS, "/d");
        assertThat(old.entries())
                .extracting(NsEntry::name)
                .containsExactly("f0", "f1", "f2", "f3", "f4", "f5", "f6", "sub");
        // and a whole listing from a new client is the same bytes as the old request, and decodes to the same
        WireWriter w = new WireWriter();
        FileClerkOps.LS.request().encode(new Ls("/d"), w);
        assertThat(w.toByteArray()).isEqualTo("/d".getBytes(StandardCharsets.UTF_8));
        assertThat(FileClerkOps.LS.request().decode(new WireReader("/d".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(new Ls("/d"));
        WireWriter paged = new WireWriter();
        FileClerkOps.LS.request().encode(new Ls("/d", "f1", 2), paged);
        assertThat(paged.toByteArray()[0] & 0xE0).as("a CBOR map").isEqualTo(0xA0);
        assertThat(FileClerkOps.LS.request().decode(new WireReader(paged.toByteArray())))
                .isEqualTo(new Ls("/d", "f1", 2));
        // a reply without a next page has no next field at all: an old client's reader takes it
        WireWriter reply = new WireWriter();
        FileClerkOps.LS.reply().encode(client.call(FileClerkOps.LS, new Ls("/d", "f5", 5)), reply);
        assertThat(Codecs.cbor(OldNsList.class)
                        .decode(new WireReader(reply.toByteArray()))
                        .entries())
                .hasSize(2);
    }
}
