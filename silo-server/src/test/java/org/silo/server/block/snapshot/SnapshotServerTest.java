package org.silo.server.block.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.ArchiveService;
import org.silo.block.blockhead.RawBlockheadClient;
import org.silo.block.image.BlockDevice;
import org.silo.block.nbd.NbdTestTools;
import org.silo.server.SiloServer;
import org.silo.server.TestSilo;
import org.silo.server.block.BlockService;
import org.silo.server.block.DiskOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * Snapshots on a whole server with the real clients (issue 20): qemu-io, nbdsh and Blockhead write while a
 * snapshot runs; each snapshot, read over NBD as IMAGE@N and restored, equals the copy qemu-img took with
 * writes stopped at its point; thinning keeps the others byte for byte. The snapshot "runs" for as long as
 * the test wants without any timing: the server starts with no movers, so the snapshot's file waits in
 * the archive's queue, frozen, until the test starts one.
 */
class SnapshotServerTest {
    private static final int MIB = 1 << 20;
    private static final Duration CEILING = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private SiloServer server;
    private SiloClient client;
    private int nbd;
    private int blockhead;

    private void start(String... settings) throws Exception {
        server = SiloServer.start(TestSilo.config(dir.resolve("data"), settings));
        client = SiloClient.connect(ClientOptions.to(new InetSocketAddress("127.0.0.1", server.wirePort()))
                .withDeadline(CEILING));
        BlockService block = server.service("block", BlockService.class);
        nbd = block.nbdPort();
        blockhead = block.blockheadPort();
    }

    @BeforeEach
    void tools() {
        NbdTestTools.require("qemu-img", "qemu-io", "nbdinfo", "nbdcopy");
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private String uri(String export) {
        return "nbd://127.0.0.1:" + nbd + "/" + export;
    }

    private void qemuIo(String export, String command) throws Exception {
        NbdTestTools.run("qemu-io", "-f", "raw", "-c", command, uri(export)).ok();
    }

    private Path copy(String export, String name) throws Exception {
        Path out = dir.resolve(name);
        NbdTestTools.run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri(export), out.toString())
                .ok();
        return out;
    }

    private void assertSame(Path copy, String export) throws Exception {
        NbdTestTools.Run r =
                NbdTestTools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", copy.toString(), uri(export));
        assertThat(r.exit())
                .as("qemu-img compare %s %s: %s", copy.getFileName(), export, r.output())
                .isZero();
    }

    private DiskOps.Snapshot snapshot(String image) throws SiloException {
        return client.call(DiskOps.SNAPSHOT, new DiskOps.TakeSnapshot(image, null, false));
    }

    /** Writes one 512-byte sector over Blockhead, as a retro machine does, and disconnects. */
    private void blockheadWrite(String image, long lsn, int fill) throws Exception {
        try (RawBlockheadClient bh = new RawBlockheadClient(blockhead)) {
            byte[] ok = bh.exchange(RawBlockheadClient.connect(1, 2, image));
            assertThat(ok[2]).as("CONNECT error").isZero();
            int session = RawBlockheadClient.session(ok);
            byte[] sector = new byte[512];
            java.util.Arrays.fill(sector, (byte) fill);
            assertThat(bh.exchange(RawBlockheadClient.write(2, session, lsn, sector))[2])
                    .as("WRITE error")
                    .isZero();
            bh.exchange(RawBlockheadClient.discon(3, session));
        }
    }

    @Test
    void writesWhileASnapshotRunsGoToTheNextAndEachSnapshotIsItsPointInTime() throws Exception {
        start("archive.movers", "0");
        client.call(DiskOps.CREATE, new DiskOps.Create("vm", 32L * MIB, false));
        qemuIo("vm", "write -P 0x11 0 4M");
        NbdTestTools.nbdsh("-u", uri("vm"), "-c", "h.pwrite(b'\\x22' * 1048576, 16 * 1048576)")
                .ok();
        blockheadWrite("vm", 20_000, 0x33); // byte 10,240,000
        Path atFirst = copy("vm", "at-1.raw");

        // a mover that has served the library and gone: the snapshot's file then waits for the next one
        ArchiveService archive = server.service("archive", ArchiveService.class);
        java.util.List<org.silo.archive.mover.Mover> gone = archive.startLocalMovers(1, "default");
        await().atMost(CEILING).until(() -> !archive.library().movers().isEmpty());
        gone.forEach(org.silo.archive.mover.Mover::close);

        CompletableFuture<DiskOps.Snapshot> first = CompletableFuture.supplyAsync(() -> {
            try {
                return snapshot("vm");
            } catch (SiloException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        // frozen, its file written and queued for a mover that is not there yet
        await().atMost(CEILING)
                .until(() ->
                        archive.library().list(false, 100).stream().anyMatch(j -> "/snapshots/vm/1".equals(j.path())));
        qemuIo("vm", "write -P 0x44 512K 1M"); // over data
        NbdTestTools.nbdsh(
                        "-u",
                        uri("vm"),
                        "-c",
                        "h.pwrite(b'\\x55' * 65536, 24 * 1048576)",
                        "-c",
                        "h.trim(1048576, 16 * 1048576)")
                .ok(); // over a hole, and a trim of data
        blockheadWrite("vm", 20_001, 0x66);
        Path atSecond = copy("vm", "at-2.raw");
        assertThat(first).isNotDone();
        archive.startLocalMovers(1, "default");

        DiskOps.Snapshot one = first.get();
        assertThat(one.number()).isEqualTo(1);
        assertThat(one.parent()).isZero();
        assertThat(one.dataBytes()).isEqualTo(4L * MIB + MIB + 65536); // the 64 KiB blocks of the data extents
        DiskOps.Snapshot two = snapshot("vm");
        assertThat(two.parent()).isEqualTo(1);
        // 1 MiB written at 512 KiB, 64 KiB at 24 MiB and the Blockhead sector's block; the trim stores nothing
        assertThat(two.dataBytes()).isEqualTo(MIB + 65536 + 65536);

        assertSame(atFirst, "vm@1");
        assertSame(atSecond, "vm@2");
        assertSame(atSecond, "vm");
        client.call(DiskOps.RESTORE, new DiskOps.Restore("vm", 1, "vm-1"));
        assertSame(atFirst, "vm-1");

        // nbdcopy reads the export byte for byte; nbdinfo --map shows what the snapshot holds
        Path copied = dir.resolve("nbdcopy.raw");
        NbdTestTools.run("nbdcopy", uri("vm@1"), copied.toString()).ok();
        assertThat(Files.mismatch(copied, atFirst)).isEqualTo(-1);
        String map = NbdTestTools.run("nbdinfo", "--map", uri("vm@2")).ok().output();
        assertThat(map)
                .isEqualToIgnoringWhitespace(
                        "0 4194304 0 data" // 0x11, partly 0x44
                                + " 4194304 6029312 3 hole,zero"
                                + " 10223616 65536 0 data" // the block of the two Blockhead sectors
                                + " 10289152 14876672 3 hole,zero" // with 16 MiB + 1 MiB trimmed
                                + " 25165824 65536 0 data" // 0x55 over a hole
                                + " 25231360 8323072 3 hole,zero");
        // read-only: a write fails and the snapshot stays as it was
        NbdTestTools.Run write = NbdTestTools.run("qemu-io", "-f", "raw", "-c", "write -P 0x77 0 4k", uri("vm@1"));
        assertThat(write.exit() != 0 || write.output().contains("Operation not permitted"))
                .as(write.output())
                .isTrue();
        assertSame(atFirst, "vm@1");
        String list = NbdTestTools.run("nbdinfo", "--list", "nbd://127.0.0.1:" + nbd)
                .ok()
                .output();
        assertThat(list).contains("export=\"vm@1\"", "snapshot 1 of vm, taken ", "export=\"vm@2\"", "incremental on 1");
    }

    @Test
    void removingASnapshotKeepsEveryOtherOneByteForByte() throws Exception {
        start();
        client.call(DiskOps.CREATE, new DiskOps.Create("vm", 16L * MIB, false));
        Path[] at = new Path[5];
        String[] writes = {
            "write -P 0x01 0 8M", "write -P 0x02 1M 2M", "write -z 2M 3M", "write -P 0x04 7M 2M", "write -P 0x05 15M 1M"
        };
        for (int i = 1; i <= 4; i++) {
            qemuIo("vm", writes[i - 1]);
            at[i] = copy("vm", "at-" + i + ".raw");
            assertThat(snapshot("vm").number()).isEqualTo(i);
        }
        // the middle: 2 merges into 3
        client.call(DiskOps.RM_SNAPSHOT, new DiskOps.SnapshotRef("vm", 2));
        assertSame(at[1], "vm@1");
        assertSame(at[3], "vm@3");
        assertSame(at[4], "vm@4");
        // the full root: its child becomes full
        client.call(DiskOps.RM_SNAPSHOT, new DiskOps.SnapshotRef("vm", 1));
        assertThat(list("vm"))
                .extracting(DiskOps.Snapshot::number, DiskOps.Snapshot::parent)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3L, 0L), org.assertj.core.groups.Tuple.tuple(4L, 3L));
        assertSame(at[3], "vm@3");
        assertSame(at[4], "vm@4");
        // the newest: what it held goes back into the change map, so the next one stores it again
        client.call(DiskOps.RM_SNAPSHOT, new DiskOps.SnapshotRef("vm", 4));
        qemuIo("vm", writes[4]);
        Path now = copy("vm", "now.raw");
        DiskOps.Snapshot next = snapshot("vm");
        assertThat(next.number()).isEqualTo(4);
        assertThat(next.parent()).isEqualTo(3);
        assertSame(now, "vm@4");
        assertSame(at[3], "vm@3");
        // the archive holds exactly the files the catalog names
        assertThat(client.call(DiskOps.SNAPSHOTS, new DiskOps.Name("vm")).snapshots())
                .extracting(DiskOps.Snapshot::path)
                .containsExactly("/snapshots/vm/3", "/snapshots/vm/4");
        ArchiveService archive = server.service("archive", ArchiveService.class);
        assertThat(archive.namespace().ls("/snapshots/vm"))
                .extracting(e -> e.name())
                .containsExactly("3", "4");

        // a snapshot read by an export cannot be removed meanwhile
        SnapshotService service = server.service("snapshots", SnapshotService.class);
        try (BlockDevice open = service.exports().open("vm@3", "test", java.net.InetAddress.getLoopbackAddress())) {
            assertThat(open).isNotNull();
            assertThatThrownBy(() -> client.call(DiskOps.RM_SNAPSHOT, new DiskOps.SnapshotRef("vm", 3)))
                    .isInstanceOfSatisfying(
                            SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY));
        }
        client.call(DiskOps.RM_SNAPSHOT, new DiskOps.SnapshotRef("vm", 3));
        assertSame(now, "vm@4");
    }

    private java.util.List<DiskOps.Snapshot> list(String image) throws SiloException {
        return client.call(DiskOps.SNAPSHOTS, new DiskOps.Name(image)).snapshots();
    }

    @Test
    void aMibChangedInAGibImageStoresAboutAMibAndARestartKeepsTheChainIncremental() throws Exception {
        start();
        client.call(DiskOps.CREATE, new DiskOps.Create("big", 1L << 30, false));
        qemuIo("big", "write -P 0x5a 0 1G");
        DiskOps.Snapshot full = snapshot("big");
        assertThat(full.dataBytes()).isEqualTo(1L << 30);
        qemuIo("big", "write -P 0x11 300M 1M");
        DiskOps.Snapshot second = snapshot("big");
        assertThat(second.parent()).isEqualTo(1);
        assertThat(second.stored()).isBetween((long) MIB, (long) MIB + 4096);

        client.close();
        server.close(); // a clean stop: the change map is saved
        start();
        qemuIo("big", "write -P 0x22 700M 1M");
        DiskOps.Snapshot third = snapshot("big");
        assertThat(third.parent()).as("incremental after a restart").isEqualTo(2);
        assertThat(third.whyFull()).isNull();
        assertThat(third.stored()).isBetween((long) MIB, (long) MIB + 4096);
        Path now = copy("big", "now.raw");
        assertSame(now, "big@3");
    }

    @Test
    void badRequestsAreRefusedClearlyAndChangeNothing() throws Exception {
        start();
        client.call(DiskOps.CREATE, new DiskOps.Create("vm", MIB, false));
        assertThatThrownBy(() -> snapshot("nope")).hasMessageContaining("no image named nope");
        assertThatThrownBy(() -> client.call(DiskOps.RESTORE, new DiskOps.Restore("vm", 1, "x")))
                .hasMessageContaining("no snapshot vm@1");
        snapshot("vm");
        assertThatThrownBy(() -> client.call(DiskOps.RESTORE, new DiskOps.Restore("vm", 1, "vm")))
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> client.call(DiskOps.RESTORE, new DiskOps.Restore("vm", 1, "../x")))
                .hasMessageContaining("..");
        assertThatThrownBy(() -> client.call(DiskOps.RM_SNAPSHOT, new DiskOps.SnapshotRef("vm", 9)))
                .hasMessageContaining("no snapshot vm@9");
        assertThat(list("vm")).hasSize(1);
        assertThat(client.call(DiskOps.LIST, null).disks())
                .extracting(DiskOps.Disk::name)
                .containsExactly("vm");
    }

    /**
     * A snapshot archived but never recorded (the server killed in between) leaves its file where the next
     * number's would go: the next snapshot skips the number and leaves the file alone.
     */
    @Test
    void aFileWhereTheNextSnapshotWouldGoIsSkippedNotReplaced() throws Exception {
        start();
        client.call(DiskOps.CREATE, new DiskOps.Create("vm", MIB, false));
        ArchiveService archive = server.service("archive", ArchiveService.class);
        Path stray = Files.write(dir.resolve("stray"), new byte[] {1, 2, 3});
        org.silo.files.server.ArchiveGateway gateway = new org.silo.files.server.ArchiveGateway(archive, null);
        gateway.mkdirs("/snapshots/vm", "admin");
        gateway.store(stray, "/snapshots/vm/1", "admin");
        qemuIo("vm", "write -P 0x11 0 64k");
        DiskOps.Snapshot s = snapshot("vm");
        assertThat(s.number())
                .as("number 1's file is taken: the snapshot is number 2")
                .isEqualTo(2);
        assertThat(s.path()).isEqualTo("/snapshots/vm/2");
        assertThat(archive.namespace().stat("/snapshots/vm/1").size()).isEqualTo(3);
        assertSame(copy("vm", "now.raw"), "vm@2");
    }
}
