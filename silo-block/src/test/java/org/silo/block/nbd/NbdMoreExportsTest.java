package org.silo.block.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.BlockDevice;
import org.silo.block.image.ImageStore;

/**
 * Read-only exports beside the images ({@link MoreExports}, how snapshots are served as {@code
 * IMAGE@SNAP}), against the real clients and byte by byte. The exports are {@link MemoryDevice}s.
 */
class NbdMoreExportsTest {
    private static final int IMAGE_SIZE = 4 << 20;
    private static final String DESCRIPTION = "snapshot 1 of disk, taken 2026-12-01 06:00";
    private static final int ERR_UNKNOWN = 0x80000006;

    @TempDir
    Path dir;

    ImageStore store;
    NbdServer server;
    TestExports exports = new TestExports();

    /**
     * disk@1 (a read-only device), disk@lying (a device that claims to be writable: served read-only
     * all the same) and disk (an impostor: the image of that name wins).
     */
    static final class TestExports implements MoreExports {
        final Map<String, Boolean> claimsWritable = Map.of("disk@1", false, "disk@lying", true, "disk", true);
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final List<String> holders = new CopyOnWriteArrayList<>();

        @Override
        public List<Listed> list(InetAddress client) {
            return List.of(
                    new Listed("disk@1", DESCRIPTION),
                    new Listed("disk@lying", "claims to be writable"),
                    new Listed("disk", "impostor"));
        }

        @Override
        public BlockDevice open(String name, String holder, InetAddress client) {
            Boolean writable = claimsWritable.get(name);
            if (writable == null) {
                return null;
            }
            opens.incrementAndGet();
            holders.add(holder);
            return new MemoryDevice(name, writable, closes);
        }

        /** Waits (generous ceiling) until every device opened has been closed again. */
        void awaitAllClosed() {
            // a ceiling for a hang only: the close follows the client's disconnect, however late
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofMinutes(5))
                    .untilAsserted(
                            () -> assertThat(closes.get()).as("devices closed").isEqualTo(opens.get()));
        }
    }

    @BeforeEach
    void start() throws Exception {
        store = new ImageStore(dir.resolve("images"));
        store.create("disk", IMAGE_SIZE, false);
        server = NbdServer.builder(store).port(0).moreExports(exports).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String base() {
        return "nbd://127.0.0.1:" + server.port();
    }

    private String uri(String export) {
        return base() + "/" + export;
    }

    // --- Real clients ---

    @Test
    void nbdinfoListShowsTheExportsWithTheirDescriptions() throws Exception {
        NbdTestTools.require("nbdinfo");
        String out = NbdTestTools.run("nbdinfo", "--list", base()).ok().output();
        assertThat(out)
                .contains("export=\"disk\":")
                .contains("export=\"disk@1\":")
                .contains("description: " + DESCRIPTION)
                .contains("export=\"disk@lying\":")
                .contains("description: claims to be writable")
                .doesNotContain("impostor");
        assertThat(out.split("export=\"disk\":", -1)).hasSize(2); // listed once, as the image
        exports.awaitAllClosed();
    }

    @Test
    void nbdinfoShowsTheExportReadOnlyWithItsDescription() throws Exception {
        NbdTestTools.require("nbdinfo");
        String out =
                NbdTestTools.run("nbdinfo", "--json", uri("disk@lying")).ok().output();
        assertThat(out)
                .contains("\"export-size\": " + MemoryDevice.SIZE)
                .contains("\"is_read_only\": true")
                .contains("\"can_multi_conn\": true");
        exports.awaitAllClosed();
    }

    /** NBD_INFO_DESCRIPTION, which libnbd asks for with full info (nbdinfo --list uses LIST's instead). */
    @Test
    void nbdshWithFullInfoGetsTheDescription() throws Exception {
        String script = String.join(
                "\n",
                "h.set_full_info(True)",
                "h.connect_uri('" + uri("disk@1") + "')",
                "assert h.get_export_description() == '" + DESCRIPTION + "', h.get_export_description()",
                "assert h.get_canonical_export_name() == 'disk@1'",
                "print('description-ok')");
        Path file = Files.writeString(dir.resolve("description.py"), script);
        assertThat(NbdTestTools.nbdsh("-c", "exec(open('" + file + "').read())")
                        .ok()
                        .output())
                .contains("description-ok");
        exports.awaitAllClosed();
    }

    @Test
    void nbdinfoMapShowsTheDevicesExtents() throws Exception {
        NbdTestTools.require("nbdinfo");
        String map = NbdTestTools.run("nbdinfo", "--map", uri("disk@1")).ok().output();
        assertThat(map)
                .containsPattern("(?m)^\\s+0\\s+65536\\s+0\\s+data$")
                .containsPattern("(?m)^\\s+65536\\s+196608\\s+3\\s+hole,zero$")
                .containsPattern("(?m)^\\s+262144\\s+4096\\s+0\\s+data$")
                .containsPattern("(?m)^\\s+266240\\s+520192\\s+3\\s+hole,zero$")
                .containsPattern("(?m)^\\s+786432\\s+262144\\s+0\\s+data$");
        assertThat(map.strip().lines()).hasSize(5);
        exports.awaitAllClosed();
        assertThat(exports.holders).allSatisfy(h -> assertThat(h).startsWith("nbd /127.0.0.1:"));
    }

    @Test
    void nbdcopyReadsExactlyTheDevicesBytes() throws Exception {
        NbdTestTools.require("nbdcopy");
        Path out = dir.resolve("out.raw");
        NbdTestTools.run("nbdcopy", uri("disk@1"), out.toString()).ok();
        assertThat(Files.readAllBytes(out)).isEqualTo(MemoryDevice.contents());
        exports.awaitAllClosed();
    }

    @Test
    void writesAreRefusedWithEpermEvenWhenTheDeviceClaimsWritable() throws Exception {
        byte[] expected = MemoryDevice.contents();
        String script = String.join(
                "\n",
                "import errno",
                "assert h.is_read_only() and h.can_multi_conn()",
                "assert h.get_size() == " + MemoryDevice.SIZE,
                "assert h.pread(16, 0) == bytes.fromhex('" + hex(expected, 0, 16) + "')",
                "assert h.pread(4096, 65536) == bytes(4096)",
                "def expect(err, f):",
                "    try:",
                "        f()",
                "    except nbd.Error as e:",
                "        assert e.errnum == err, (e.errnum, e.string)",
                "    else:",
                "        raise AssertionError('no error')",
                "h.set_strict_mode(0)", // libnbd would refuse writes to a read-only export itself
                "expect(errno.EPERM, lambda: h.pwrite(b'x' * 512, 0))",
                "expect(errno.EPERM, lambda: h.trim(4096, 0))",
                "expect(errno.EPERM, lambda: h.zero(4096, 0))",
                "assert h.pread(16, 0) == bytes.fromhex('" + hex(expected, 0, 16) + "')",
                "print('ro-ok')");
        Path file = Files.writeString(dir.resolve("ro.py"), script);
        for (String export : List.of("disk@1", "disk@lying")) {
            assertThat(NbdTestTools.nbdsh("-u", uri(export), "-c", "exec(open('" + file + "').read())")
                            .ok()
                            .output())
                    .as(export)
                    .contains("ro-ok");
        }
        exports.awaitAllClosed();
    }

    @Test
    void qemuIoCannotWriteIt() throws Exception {
        NbdTestTools.require("qemu-io");
        NbdTestTools.Run run = NbdTestTools.run("qemu-io", "-f", "raw", "-c", "write -P 0x55 0 4k", uri("disk@1"));
        assertThat(run.exit() != 0
                        || run.output().contains("error")
                        || run.output().contains("denied"))
                .as(run.output())
                .isTrue();
        assertThat(run.output()).doesNotContain("wrote 4096");
        exports.awaitAllClosed();
    }

    @Test
    void anUnknownNameIsAnsweredAsAMissingExport() throws Exception {
        NbdTestTools.require("nbdinfo");
        NbdTestTools.Run run = NbdTestTools.run("nbdinfo", uri("disk@9"));
        assertThat(run.exit()).isNotZero();
        // libnbd reports ERR_UNKNOWN as ENOENT, as for a missing image.
        assertThat(run.output()).contains("No such file or directory for export: disk@9");
        assertThat(exports.opens.get()).isZero();
    }

    @Test
    void theImageNamedPlainlyWins() throws Exception {
        NbdTestTools.require("nbdinfo");
        String out = NbdTestTools.run("nbdinfo", "--json", uri("disk")).ok().output();
        assertThat(out).contains("\"export-size\": " + IMAGE_SIZE).contains("\"is_read_only\": false");
        assertThat(exports.opens.get()).isZero();
    }

    // --- Byte level ---

    @Test
    void listSendsTheDescriptionAfterTheNameInRepServer() throws Exception {
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(3, new byte[0]);
            List<byte[]> entries = new ArrayList<>();
            RawNbdClient.OptionReply r;
            for (r = c.optionReply(); r.type() == 2; r = c.optionReply()) {
                assertThat(r.option()).isEqualTo(3);
                entries.add(r.data());
            }
            assertThat(r.type()).isEqualTo(1); // ACK
            assertThat(entries).hasSize(3);
            assertThat(entries.get(0)).isEqualTo(serverEntry("disk", "")); // an image: no description
            assertThat(entries.get(1)).isEqualTo(serverEntry("disk@1", DESCRIPTION));
            assertThat(entries.get(2)).isEqualTo(serverEntry("disk@lying", "claims to be writable"));
        }
        assertThat(exports.opens.get()).isZero(); // listing opens nothing
    }

    @Test
    void infoGivesSizeReadOnlyFlagsAndTheDescriptionAndClosesTheDevice() throws Exception {
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(6, RawNbdClient.infoData("disk@1", 1, 2)); // INFO with NAME and DESCRIPTION
            RawNbdClient.OptionReply export = c.optionReply();
            assertThat(export.type()).isEqualTo(3);
            ByteBuffer b = ByteBuffer.wrap(export.data());
            assertThat(b.getShort()).isEqualTo((short) 0);
            assertThat(b.getLong()).isEqualTo(MemoryDevice.SIZE);
            assertThat(b.getShort() & 0xffff).isEqualTo(NbdExport.transmissionFlags(true, false));
            assertThat(c.optionReply().data()).isEqualTo(info(1, "disk@1"));
            assertThat(c.optionReply().data()).isEqualTo(info(2, DESCRIPTION));
            c.expectAck();
            // An image has no description to give.
            c.option(6, RawNbdClient.infoData("disk", 2));
            assertThat(c.optionReply().data()).hasSize(12);
            c.expectAck();
        }
        assertThat(exports.opens.get()).isEqualTo(1);
        exports.awaitAllClosed();
    }

    @Test
    void unknownNamesGetErrUnknownWithTheWordsAMissingImageGets() throws Exception {
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(6, RawNbdClient.infoData("disk@9"));
            RawNbdClient.OptionReply r = c.optionReply();
            assertThat(r.type()).isEqualTo(ERR_UNKNOWN);
            assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("no export named 'disk@9'");
            c.option(8, new byte[0]);
            c.expectAck();
            c.option(10, RawNbdClient.metaData("disk@9", "base:allocation"));
            r = c.optionReply();
            assertThat(r.type()).isEqualTo(ERR_UNKNOWN);
            assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("no export named 'disk@9'");
            c.option(7, RawNbdClient.infoData("")); // no default export either
            assertThat(c.optionReply().type()).isEqualTo(ERR_UNKNOWN);
        }
    }

    @Test
    void structuredReadAndBlockStatusOnTheExport() throws Exception {
        byte[] expected = MemoryDevice.contents();
        try (var c = new RawNbdClient(server.port())) {
            assertThat(c.go("disk@1", true)).isEqualTo(MemoryDevice.SIZE);
            c.request(0, 7, 1, 0, MemoryDevice.SIZE, null); // BLOCK_STATUS over the whole device
            assertThat(c.in.readInt()).isEqualTo(0x668e33ef);
            assertThat(c.in.readUnsignedShort()).isEqualTo(1); // DONE
            assertThat(c.in.readUnsignedShort()).isEqualTo(5); // BLOCK_STATUS
            assertThat(c.in.readLong()).isEqualTo(1);
            assertThat(c.in.readInt()).isEqualTo(4 + 8 * 5);
            assertThat(c.in.readInt()).isEqualTo(1); // context id
            for (var e : MemoryDevice.LAYOUT) {
                assertThat(c.in.readInt()).isEqualTo(e.length());
                assertThat(c.in.readInt()).isEqualTo(e.hole() ? 3 : 0);
            }
            c.request(0, 0, 2, 256 << 10, 4096, null); // READ of the middle data run
            assertThat(c.in.readInt()).isEqualTo(0x668e33ef);
            assertThat(c.in.readUnsignedShort()).isEqualTo(1);
            assertThat(c.in.readUnsignedShort()).isEqualTo(1); // OFFSET_DATA
            assertThat(c.in.readLong()).isEqualTo(2);
            assertThat(c.in.readInt()).isEqualTo(8 + 4096);
            assertThat(c.in.readLong()).isEqualTo(256 << 10);
            byte[] data = new byte[4096];
            c.in.readFully(data);
            assertThat(data).isEqualTo(java.util.Arrays.copyOfRange(expected, 256 << 10, (256 << 10) + 4096));
            c.request(0, 2, 3, 0, 0, null); // DISC
            assertThat(c.closedByServer()).isTrue();
        }
        exports.awaitAllClosed();
    }

    @Test
    void exportNameOpensTheExportReadOnly() throws Exception {
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(1, "disk@1".getBytes(StandardCharsets.UTF_8));
            assertThat(c.in.readLong()).isEqualTo(MemoryDevice.SIZE);
            assertThat(c.in.readUnsignedShort()).isEqualTo(NbdExport.transmissionFlags(true, false));
            c.request(0, 1, 1, 0, 512, new byte[512]); // WRITE
            assertThat(c.simpleReply()).containsExactly(1L, 1L); // EPERM, cookie 1
        }
        exports.awaitAllClosed();
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(1, "disk@9".getBytes(StandardCharsets.UTF_8));
            assertThat(c.closedByServer()).isTrue(); // EXPORT_NAME cannot carry an error
        }
    }

    @Test
    void moreExportsCanBeSetOnARunningServer() throws Exception {
        server.moreExports(MoreExports.NONE);
        try (var c = new RawNbdClient(server.port())) {
            c.clientFlags(3);
            c.option(6, RawNbdClient.infoData("disk@1"));
            assertThat(c.optionReply().type()).isEqualTo(ERR_UNKNOWN);
            server.moreExports(exports); // the next option sees it
            c.option(6, RawNbdClient.infoData("disk@1"));
            assertThat(c.optionReply().type()).isEqualTo(3);
            c.expectAck();
        }
        exports.awaitAllClosed();
    }

    private static byte[] serverEntry(String name, String description) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] d = description.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + n.length + d.length)
                .putInt(n.length)
                .put(n)
                .put(d)
                .array();
    }

    private static byte[] info(int type, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + t.length).putShort((short) type).put(t).array();
    }

    private static String hex(byte[] b, int from, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < from + length; i++) {
            s.append(String.format("%02x", b[i]));
        }
        return s.toString();
    }
}
