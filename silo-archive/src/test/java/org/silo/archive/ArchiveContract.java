package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.catalog.CatalogBackup;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.FsckReport;
import org.silo.archive.ops.FileMessages.NewBitFile;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.WriteFile;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.EditVol;
import org.silo.archive.ops.VolumeMessages.ListVols;
import org.silo.archive.ops.VolumeMessages.NextWriteVolume;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.DirBackend;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The catalog suite: run as is on SQLite ({@link SqliteArchiveTest}) and on PostgreSQL
 * ({@link PostgresArchiveTest}). Each test starts from an empty catalog and data directory.
 */
abstract class ArchiveContract {
    @TempDir
    Path data;

    ArchiveService archive;

    /** The {@code catalog} setting for a fresh, empty catalog. */
    abstract String freshCatalog() throws Exception;

    /** Removes what {@link #freshCatalog} made. */
    void dropCatalog() throws Exception {}

    String setting;

    @BeforeEach
    void open() throws Exception {
        setting = freshCatalog();
        archive = ArchiveService.open(data, setting);
    }

    @AfterEach
    void close() throws Exception {
        if (archive != null) {
            archive.close();
        }
        dropCatalog();
    }

    static SiloException fails(ErrorCode code, ThrowingRunnable r) {
        try {
            r.run();
        } catch (SiloException e) {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
            assertThat(e)
                    .as("a failure of the code's own type")
                    .isInstanceOf(SiloException.of(code, "").getClass());
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected " + code + " but got " + e, e);
        }
        throw new AssertionError("expected " + code + " but it succeeded");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    long rows(String table) throws SiloException {
        return archive.catalog().tx(c -> Sql.count(c, "SELECT COUNT(*) FROM " + table));
    }

    VolumeInfo addvol(String label, String capacity, String sg, String ff) throws SiloException {
        return archive.volumes().addvol(new AddVol(label, "lib", null, capacity, null, sg, ff), "test");
    }

    // ---- a new catalog ---------------------------------------------------------------------------

    @Test
    void emptyCatalogGetsLibraryDefaultWithTwoDirVolumes() throws Exception {
        List<VolumeInfo> vols = archive.volumes().list(new ListVols(null, null, null));
        assertThat(vols).extracting(VolumeInfo::label).containsExactly("DEF001", "DEF002");
        assertThat(vols).allSatisfy(v -> {
            assertThat(v.library()).isEqualTo("default");
            assertThat(v.backend())
                    .isEqualTo(
                            "dir:" + data.resolve("volumes").resolve(v.label()).toAbsolutePath());
            assertThat(v.state()).isEqualTo("ok");
        });
        // opening again adds nothing
        archive.close();
        archive = ArchiveService.open(data, setting);
        assertThat(archive.volumes().list(null)).hasSize(2);
    }

    // ---- volumes ---------------------------------------------------------------------------------

    @Test
    void addvolRecordsEveryFieldAndRefusesBadInput() throws Exception {
        VolumeInfo v =
                archive.volumes().addvol(new AddVol("TAPE01", "lib", "lto9", "10G", "dir:t1", "sg1", "ff1"), "alice");
        assertThat(v.capacity()).isEqualTo(10L << 30);
        assertThat(v.remaining()).isEqualTo(10L << 30);
        assertThat(v.mediaType()).isEqualTo("lto9");
        assertThat(v.storageGroup()).isEqualTo("sg1");
        assertThat(v.fileFamily()).isEqualTo("ff1");
        assertThat(v.stateBy()).isEqualTo("alice");
        assertThat(archive.volumes().inquire("TAPE01")).isEqualTo(v);
        long before = rows("volume");
        assertThat(fails(ErrorCode.EXISTS, () -> addvol("TAPE01", "1G", null, null))
                        .getMessage())
                .contains("TAPE01 already exists");
        assertThat(fails(ErrorCode.INVALID, () -> addvol("TAPE02", "ten gigs", null, null))
                        .getMessage())
                .contains("'ten gigs' is not a size");
        assertThat(fails(ErrorCode.INVALID, () -> addvol("bad/label", "1G", null, null))
                        .getMessage())
                .contains("bad label");
        assertThat(fails(
                                ErrorCode.INVALID,
                                () -> archive.volumes()
                                        .addvol(new AddVol("TAPE03", "lib", null, "1G", "ftp://x", null, null), "t"))
                        .getMessage())
                .contains("unknown backend");
        assertThat(fails(
                                ErrorCode.EXISTS,
                                () -> archive.volumes()
                                        .addvol(new AddVol("TAPE04", "lib", null, "1G", "dir:t1", null, null), "t"))
                        .getMessage())
                .contains("already uses backend");
        assertThat(rows("volume")).isEqualTo(before);
        assertThat(fails(ErrorCode.NOT_FOUND, () -> archive.volumes().inquire("NOPE"))
                        .getMessage())
                .contains("no volume NOPE");
    }

    @Test
    void stateMachineRecordsWhoAndWhyAndRefusesIllegalChanges() throws Exception {
        addvol("V1", "1G", "sg", "ff");
        VolumeInfo r = archive.volumes().setState("V1", VolumeState.READONLY, "mover7", "write error at block 12");
        assertThat(r.state()).isEqualTo("readonly");
        assertThat(r.stateBy()).isEqualTo("mover7");
        assertThat(r.stateReason()).isEqualTo("write error at block 12");
        archive.volumes().edit(new EditVol("V1", "noaccess", "pulled for inspection", "bob", null, null, null));
        // noaccess -> hung is not a transition
        String msg = fails(ErrorCode.INVALID, () -> archive.volumes().setState("V1", VolumeState.HUNG, "m", "stuck"))
                .getMessage();
        assertThat(msg).contains("cannot go from noaccess to hung");
        assertThat(archive.volumes().inquire("V1").state()).isEqualTo("noaccess");
        fails(ErrorCode.INVALID, () -> archive.volumes().edit(new EditVol("V1", "ok", null, "bob", null, null, null)));
        fails(
                ErrorCode.INVALID,
                () -> archive.volumes().edit(new EditVol("V1", "broken", "x", "bob", null, null, null)));
        archive.volumes().edit(new EditVol("V1", "ok", "inspected", "bob", null, null, null));
        assertThat(archive.volumes().history("V1"))
                .containsExactly(
                        "null -> ok by test: added",
                        "ok -> readonly by mover7: write error at block 12",
                        "readonly -> noaccess by bob: pulled for inspection",
                        "noaccess -> ok by bob: inspected");
        for (VolumeState from : VolumeState.values()) {
            assertThat(from.canBecome(from)).isTrue();
        }
        assertThat(VolumeState.NOACCESS.canBecome(VolumeState.FULL)).isFalse();
        assertThat(VolumeState.OK.writable()).isTrue();
        assertThat(VolumeState.READONLY.writable()).isFalse();
    }

    @Test
    void threeDifferentMoversFailingMakeAVolumeNoaccess() throws Exception {
        addvol("V1", "1G", "sg", "ff");
        archive.volumes().noteError("V1", "mover1", false, "read error");
        archive.volumes().noteError("V1", "mover1", false, "read error again");
        VolumeInfo v = archive.volumes().noteError("V1", "mover2", true, "write error");
        assertThat(v.state()).isEqualTo("ok");
        assertThat(v.readErrors()).isEqualTo(2);
        assertThat(v.writeErrors()).isEqualTo(1);
        v = archive.volumes().noteError("V1", "mover3", false, "read error");
        assertThat(v.state()).isEqualTo("noaccess");
        assertThat(v.stateBy()).isEqualTo("system");
        assertThat(v.stateReason())
                .contains("suspect volume")
                .contains("mover1")
                .contains("mover2")
                .contains("mover3");
        // set ok again: the count starts over
        archive.volumes().edit(new EditVol("V1", "ok", "cleaned the heads", "bob", null, null, null));
        v = archive.volumes().noteError("V1", "mover4", false, "read error");
        assertThat(v.state()).isEqualTo("ok");
    }

    @Test
    void remainingBytesAppendDoneAndFull() throws Exception {
        addvol("V1", "1000", "sg", "ff");
        VolumeInfo v = archive.volumes().nextWriteVolume(new NextWriteVolume("lib", "sg", "ff", 600, "m1"));
        assertThat(v.label()).isEqualTo("V1");
        assertThat(v.writing()).isEqualTo("m1");
        v = archive.volumes().appendDone("V1", 600);
        assertThat(v.remaining()).isEqualTo(400);
        assertThat(v.writing()).isNull();
        assertThat(v.files()).isEqualTo(1);
        fails(
                ErrorCode.NO_SPACE,
                () -> archive.volumes().nextWriteVolume(new NextWriteVolume("lib", "sg", "ff", 500, "m1")));
        v = archive.volumes().setRemainingBytes("V1", 0);
        assertThat(v.state()).isEqualTo("full");
        fails(ErrorCode.INVALID, () -> archive.volumes().setRemainingBytes("V1", 5000));
        fails(ErrorCode.NO_SPACE, () -> archive.volumes().setAppending("V1", "m1"));
        v = archive.volumes().updateReadStats("V1", 123);
        assertThat(v.bytesRead()).isEqualTo(123);
    }

    @Test
    void selectionHonoursFamilyWidth() throws Exception {
        addvol("A1", "1G", "sg", "ff");
        addvol("B1", "1G", "sg", "none");
        addvol("B2", "1G", "sg", "none");
        // width 1: the family's volume is busy, so the next writer waits
        assertThat(archive.volumes()
                        .nextWriteVolume(new NextWriteVolume("lib", "sg", "ff", 10, "m1"))
                        .label())
                .isEqualTo("A1");
        String msg = fails(
                        ErrorCode.BUSY,
                        () -> archive.volumes().nextWriteVolume(new NextWriteVolume("lib", "sg", "ff", 10, "m2")))
                .getMessage();
        assertThat(msg).contains("width is 1");
        // width 2: a blank volume joins the family
        archive.volumes().setFamilyWidth("ff", 2);
        VolumeInfo second = archive.volumes().nextWriteVolume(new NextWriteVolume("lib", "sg", "ff", 10, "m2"));
        assertThat(second.label()).isEqualTo("B1");
        assertThat(second.fileFamily()).isEqualTo("ff");
        fails(
                ErrorCode.BUSY,
                () -> archive.volumes().nextWriteVolume(new NextWriteVolume("lib", "sg", "ff", 10, "m3")));
        // once a writer is done its volume is chosen again before any blank one
        archive.volumes().appendDone("A1", 10);
        assertThat(archive.volumes()
                        .nextWriteVolume(new NextWriteVolume("lib", "sg", "ff", 10, "m3"))
                        .label())
                .isEqualTo("A1");
        assertThat(archive.volumes().inquire("B2").fileFamily()).isEqualTo("none");
        fails(ErrorCode.INVALID, () -> archive.volumes().setFamilyWidth("ff", 0));
    }

    @Test
    void selectionHonoursStorageGroupQuota() throws Exception {
        addvol("Q1", "1G", "sgq", "none");
        addvol("Q2", "1G", "sgq", "none");
        archive.volumes().setQuota("lib", "sgq", 1);
        archive.volumes().setFamilyWidth("f1", 5);
        assertThat(archive.volumes()
                        .nextWriteVolume(new NextWriteVolume("lib", "sgq", "f1", 10, "m1"))
                        .label())
                .isEqualTo("Q1");
        String msg = fails(
                        ErrorCode.NO_SPACE,
                        () -> archive.volumes().nextWriteVolume(new NextWriteVolume("lib", "sgq", "f2", 10, "m2")))
                .getMessage();
        assertThat(msg).contains("quota of 1");
        assertThat(archive.volumes().inquire("Q2").fileFamily()).isEqualTo("none");
        archive.volumes().setQuota("lib", "sgq", -1);
        assertThat(archive.volumes()
                        .nextWriteVolume(new NextWriteVolume("lib", "sgq", "f2", 10, "m2"))
                        .label())
                .isEqualTo("Q2");
        fails(
                ErrorCode.NOT_FOUND,
                () -> archive.volumes().nextWriteVolume(new NextWriteVolume("nolib", "sgq", "f2", 10, "m2")));
        fails(
                ErrorCode.INVALID,
                () -> archive.volumes().nextWriteVolume(new NextWriteVolume("lib", "sgq", "none", 10, "m2")));
    }

    @Test
    void readonlyVolumesAreNotChosenForWriting() throws Exception {
        addvol("R1", "1G", "sg", "ff");
        archive.volumes().setState("R1", VolumeState.READONLY, "m", "tape worn");
        fails(
                ErrorCode.NO_SPACE,
                () -> archive.volumes().nextWriteVolume(new NextWriteVolume("lib", "sg", "ff", 1, "m")));
        assertThat(fails(ErrorCode.READ_ONLY, () -> archive.volumes().setAppending("R1", "m"))
                        .getMessage())
                .contains("tape worn");
    }

    @Test
    void deleteVolIsRefusedWhileItHoldsLiveFilesUnlessForced() throws Exception {
        BitFileInfo b = write("/f1", "hello", "default");
        String msg = fails(ErrorCode.BUSY, () -> archive.volumes().deleteVol(b.volume(), false, "t"))
                .getMessage();
        assertThat(msg).contains("1 live files");
        archive.volumes().deleteVol(b.volume(), true, "t");
        fails(ErrorCode.NOT_FOUND, () -> archive.volumes().inquire(b.volume()));
        assertThat(archive.files().info(b.bfid()).state()).isEqualTo("deleted");
        fails(ErrorCode.NOT_FOUND, () -> archive.namespace().stat("/f1"));
    }

    // ---- the file clerk --------------------------------------------------------------------------

    BitFileInfo write(String path, String text, String library) throws SiloException {
        return archive.files()
                .write(new WriteFile(null, path, text.getBytes(), library, null, null, "alice"), "test-mover");
    }

    @Test
    void newBitFileRecordsTheFileAndItsPath() throws Exception {
        archive.namespace().mkdir("/exp/run1", true, "alice");
        BitFileInfo b = archive.files()
                .newBitFile(new NewBitFile(
                        "req-1", "DEF001", "0000_000000000_0000001", 5, "062c0215", "/exp/run1/a.dat", "alice"));
        assertThat(b.bfid()).matches("B[0-9]{18}");
        assertThat(b.state()).isEqualTo("active");
        NsEntry e = archive.namespace().stat("/exp/run1/a.dat");
        assertThat(e.bfid()).isEqualTo(b.bfid());
        assertThat(e.size()).isEqualTo(5);
        assertThat(e.adler32()).isEqualTo("062c0215");
        // the same client request again, long after any reply cache: the same bfid, nothing new
        BitFileInfo again = archive.files()
                .newBitFile(new NewBitFile(
                        "req-1", "DEF001", "0000_000000000_0000001", 5, "062c0215", "/exp/run1/a.dat", "alice"));
        assertThat(again).isEqualTo(b);
        assertThat(rows("bit_file")).isEqualTo(1);
        // the same request id for another file is refused
        fails(
                ErrorCode.EXISTS,
                () -> archive.files()
                        .newBitFile(new NewBitFile(
                                "req-1",
                                "DEF001",
                                "0000_000000000_0000002",
                                5,
                                "062c0215",
                                "/exp/run1/b.dat",
                                "alice")));
    }

    @Test
    void newBitFileWithBadInputChangesNothing() throws Exception {
        archive.namespace().mkdir("/d", false, "alice");
        fails(
                ErrorCode.NOT_FOUND,
                () -> archive.files()
                        .newBitFile(new NewBitFile(
                                null, "DEF001", "0000_000000000_0000001", 1, "00000001", "/missing/dir/f", "a")));
        fails(
                ErrorCode.NOT_FOUND,
                () -> archive.files()
                        .newBitFile(
                                new NewBitFile(null, "NOVOL", "0000_000000000_0000001", 1, "00000001", "/d/f", "a")));
        fails(
                ErrorCode.INVALID,
                () -> archive.files().newBitFile(new NewBitFile(null, "DEF001", "cookie", 1, "00000001", "/d/f", "a")));
        fails(
                ErrorCode.INVALID,
                () -> archive.files()
                        .newBitFile(new NewBitFile(null, "DEF001", "0000_000000000_0000001", 1, "xyz", "/d/f", "a")));
        fails(
                ErrorCode.INVALID,
                () -> archive.files()
                        .newBitFile(new NewBitFile(
                                null, "DEF001", "0000_000000000_0000001", 1, "00000001", "/d/../f", "a")));
        fails(
                ErrorCode.INVALID,
                () -> archive.files()
                        .newBitFile(new NewBitFile(
                                null, "DEF001", "0000_000000000_0000001", 1, "00000001", "/d/f\0x", "a")));
        assertThat(rows("bit_file")).isZero();
        archive.files()
                .newBitFile(new NewBitFile(null, "DEF001", "0000_000000000_0000001", 1, "00000001", "/d/f", "a"));
        // the name is taken: the second record is rolled back with its entry
        fails(
                ErrorCode.EXISTS,
                () -> archive.files()
                        .newBitFile(
                                new NewBitFile(null, "DEF001", "0000_000000000_0000002", 1, "00000001", "/d/f", "a")));
        // the cookie is taken
        fails(
                ErrorCode.EXISTS,
                () -> archive.files()
                        .newBitFile(
                                new NewBitFile(null, "DEF001", "0000_000000000_0000001", 1, "00000001", "/d/g", "a")));
        assertThat(rows("bit_file")).isEqualTo(1);
        assertThat(rows("ns_entry")).isEqualTo(3); // root, /d, /d/f
    }

    @Test
    void bfidsAreUniqueAndSortByTimeUnderConcurrency() throws Exception {
        archive.namespace().mkdir("/c", false, "a");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                fs.add(pool.submit(() -> archive.files()
                        .newBitFile(new NewBitFile(
                                "r" + n,
                                "DEF002",
                                String.format("0000_000000000_%07d", n + 1),
                                1,
                                "00000001",
                                "/c/f" + n,
                                "a"))
                        .bfid()));
            }
            var seen = ConcurrentHashMap.<String>newKeySet();
            for (Future<String> f : fs) {
                assertThat(seen.add(f.get())).isTrue();
            }
        } finally {
            pool.shutdown();
        }
        String last = archive.files()
                .newBitFile(new NewBitFile(null, "DEF002", "0000_000000000_0000999", 1, "00000001", "/c/last", "a"))
                .bfid();
        List<String> all = archive.catalog()
                .tx(c -> Sql.list(c, "SELECT bfid FROM bit_file ORDER BY created_ms, bfid", rs -> rs.getString(1)));
        assertThat(all).hasSize(201).isSorted().endsWith(last);
        // a reopened catalog never issues an id at or below one it has
        archive.close();
        archive = ArchiveService.open(data, setting);
        String after = archive.files()
                .newBitFile(new NewBitFile(null, "DEF002", "0000_000000000_0001000", 1, "00000001", "/c/after", "a"))
                .bfid();
        assertThat(after).isGreaterThan(last);
    }

    @Test
    void racingMkdirsAndRepeatedRequestsAllSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<NsEntry>> dirs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                dirs.add(pool.submit(() -> archive.namespace().mkdir("/race/deep/d" + n, true, "a")));
            }
            for (Future<NsEntry> f : dirs) {
                assertThat(f.get().kind()).isEqualTo("dir");
            }
            // the same client request sent by eight threads at once: one record, one bfid
            List<Future<String>> same = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                same.add(pool.submit(() -> archive.files()
                        .newBitFile(new NewBitFile(
                                "dup-req", "DEF001", "0000_000000000_0000001", 3, "00000001", "/race/f", "a"))
                        .bfid()));
            }
            var bfids = new java.util.HashSet<String>();
            for (Future<String> f : same) {
                bfids.add(f.get());
            }
            assertThat(bfids).hasSize(1);
        } finally {
            pool.shutdown();
        }
        assertThat(rows("bit_file")).isEqualTo(1);
        assertThat(archive.namespace().ls("/race/deep")).hasSize(8);
    }

    @Test
    void delAndEditBfidKeepTheRecord() throws Exception {
        BitFileInfo b = write("/x", "data", "default");
        BitFileInfo d = archive.files().delete(b.bfid());
        assertThat(d.state()).isEqualTo("deleted");
        fails(ErrorCode.NOT_FOUND, () -> archive.namespace().stat("/x"));
        BitFileInfo back = archive.files().edit(b.bfid(), "bob", "active");
        assertThat(back.owner()).isEqualTo("bob");
        assertThat(archive.namespace().stat("/x").bfid()).isEqualTo(b.bfid());
        fails(ErrorCode.INVALID, () -> archive.files().edit(b.bfid(), null, "gone"));
        fails(ErrorCode.NOT_FOUND, () -> archive.files().info("B000000000000000000"));
    }

    @Test
    void writeAndReadThroughTheVolumes() throws Exception {
        BitFileInfo b = write("/hello.txt", "hello, archive", "default");
        assertThat(b.volume()).isIn("DEF001", "DEF002");
        assertThat(b.cookie()).isEqualTo("0000_000000000_0000001");
        assertThat(new String(archive.files().read("/hello.txt"))).isEqualTo("hello, archive");
        VolumeInfo v = archive.volumes().inquire(b.volume());
        assertThat(v.remaining()).isEqualTo(v.capacity() - 14);
        assertThat(v.writing()).isNull();
        assertThat(v.bytesRead()).isEqualTo(14);
        BitFileInfo second = write("/hello2.txt", "again", "default");
        assertThat(second.volume()).isEqualTo(b.volume());
        assertThat(second.cookie()).isEqualTo("0000_000000000_0000002");
        fails(ErrorCode.EXISTS, () -> write("/hello.txt", "dup", "default"));
    }

    // ---- the namespace ---------------------------------------------------------------------------

    @Test
    void namespaceMkdirLsStatMvRm() throws Exception {
        archive.namespace().mkdir("/a/b/c", true, "alice");
        fails(ErrorCode.EXISTS, () -> archive.namespace().mkdir("/a/b", false, "alice"));
        fails(ErrorCode.NOT_FOUND, () -> archive.namespace().mkdir("/x/y", false, "alice"));
        BitFileInfo f = write("/a/b/file", "content", "default");
        assertThat(archive.namespace().ls("/a/b"))
                .extracting(NsEntry::name, NsEntry::kind)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("c", "dir"),
                        org.assertj.core.groups.Tuple.tuple("file", "file"));
        assertThat(archive.namespace().stat("/a//b/file/").size()).isEqualTo(7);
        archive.namespace().mv("/a/b", "/a/renamed");
        assertThat(archive.files().info(f.bfid()).path()).isEqualTo("/a/renamed/file");
        archive.namespace().mv("/a/renamed/file", "/top");
        assertThat(archive.files().info(f.bfid()).path()).isEqualTo("/top");
        fails(ErrorCode.INVALID, () -> archive.namespace().mv("/a", "/a/renamed/c/inside"));
        fails(ErrorCode.EXISTS, () -> archive.namespace().mv("/top", "/a"));
        fails(ErrorCode.NOT_FOUND, () -> archive.namespace().mv("/nothing", "/else"));
        fails(ErrorCode.BUSY, () -> archive.namespace().rm("/a"));
        archive.namespace().rm("/top");
        fails(ErrorCode.NOT_FOUND, () -> archive.namespace().stat("/top"));
        BitFileInfo gone = archive.files().info(f.bfid());
        assertThat(gone.state()).isEqualTo("deleted");
        assertThat(gone.path()).isEqualTo("/top");
        archive.namespace().rm("/a/renamed/c");
        fails(ErrorCode.INVALID, () -> archive.namespace().rm("/"));
    }

    @Test
    void badPathsGetClearErrors() {
        assertThat(fails(ErrorCode.INVALID, () -> archive.namespace().mkdir("/a/../b", true, "x"))
                        .getMessage())
                .contains("'..'");
        assertThat(fails(ErrorCode.INVALID, () -> archive.namespace().mkdir("/a\0b", true, "x"))
                        .getMessage())
                .contains("NUL");
        assertThat(fails(ErrorCode.INVALID, () -> archive.namespace().stat("relative"))
                        .getMessage())
                .contains("not absolute");
        assertThat(fails(ErrorCode.INVALID, () -> archive.namespace().stat("")).getMessage())
                .contains("empty path");
        assertThat(fails(ErrorCode.INVALID, () -> archive.namespace().mkdir("/" + "n".repeat(256), false, "x"))
                        .getMessage())
                .contains("255");
        assertThat(fails(ErrorCode.NOT_FOUND, () -> archive.namespace().ls("/nope"))
                        .getMessage())
                .contains("/nope");
    }

    // ---- fsck ------------------------------------------------------------------------------------

    @Test
    void fsckFindsCorruptedAndMissingFiles() throws Exception {
        BitFileInfo a = write("/a", "alpha", "default");
        BitFileInfo b = write("/b", "bravo", "default");
        BitFileInfo c = write("/c", "charlie", "default");
        FsckReport clean = archive.files().fsck();
        assertThat(clean.checked()).isEqualTo(3);
        assertThat(clean.problems()).isEmpty();
        DirBackend vb = new DirBackend(
                Path.of(archive.volumes().inquire(b.volume()).backend().substring(4)));
        Files.write(vb.path(b.cookie()), "brav0".getBytes());
        DirBackend vc = new DirBackend(
                Path.of(archive.volumes().inquire(c.volume()).backend().substring(4)));
        Files.delete(vc.path(c.cookie()));
        FsckReport bad = archive.files().fsck();
        assertThat(bad.checked()).isEqualTo(3);
        assertThat(bad.problems()).hasSize(2);
        assertThat(bad.problems().get(0).bfid()).isEqualTo(b.bfid());
        assertThat(bad.problems().get(0).problem()).contains("adler32");
        assertThat(bad.problems().get(1).bfid()).isEqualTo(c.bfid());
        assertThat(bad.problems().get(1).problem()).contains("missing");
        fails(ErrorCode.IO, () -> archive.files().read("/b"));
        assertThat(a.bfid()).isLessThan(b.bfid());
    }

    @Test
    void fsckOnS3Volumes() throws Exception {
        try (S3Fixture s3 = new S3Fixture()) {
            archive.volumes().addvol(new AddVol("S3V1", "cloud", null, "1G", s3.uri("vol1"), "sg", "none"), "t");
            BitFileInfo a =
                    archive.files().write(new WriteFile("w1", "/s3a", "one".getBytes(), "cloud", "sg", "ff", "a"), "m");
            BitFileInfo b =
                    archive.files().write(new WriteFile("w2", "/s3b", "two".getBytes(), "cloud", "sg", "ff", "a"), "m");
            assertThat(a.volume()).isEqualTo("S3V1");
            assertThat(new String(archive.files().read("/s3b"))).isEqualTo("two");
            assertThat(archive.files().fsck().problems()).isEmpty();
            s3.putObject("vol1/0000001", "0ne".getBytes());
            s3.deleteObject("vol1/0000002");
            FsckReport r = archive.files().fsck();
            assertThat(r.problems()).extracting(p -> p.bfid()).containsExactly(a.bfid(), b.bfid());
        }
    }

    // ---- backup and restore ----------------------------------------------------------------------

    @Test
    void backupWhileRunningAndRestore() throws Exception {
        write("/kept", "before the backup", "default");
        Path dest = data.resolve("backups").resolve("catalog.bak");
        var result = CatalogBackup.backup(archive.catalog(), dest);
        assertThat(result.bytes()).isPositive();
        assertThat(Files.size(dest)).isEqualTo(result.bytes());
        write("/lost", "after the backup", "default");
        archive.volumes().addvol(new AddVol("LATE", "lib", null, "1G", null, null, null), "t");
        archive.close();
        archive = null;
        CatalogBackup.restore(dest, data, setting);
        archive = ArchiveService.open(data, setting);
        assertThat(archive.namespace().stat("/kept").size()).isEqualTo(17);
        fails(ErrorCode.NOT_FOUND, () -> archive.namespace().stat("/lost"));
        fails(ErrorCode.NOT_FOUND, () -> archive.volumes().inquire("LATE"));
        assertThat(new String(archive.files().read("/kept"))).isEqualTo("before the backup");
        fails(ErrorCode.NOT_FOUND, () -> CatalogBackup.restore(data.resolve("nothing"), data, setting));
    }
}
