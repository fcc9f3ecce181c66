package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.silo.archive.aggregate.ContainerWriter;
import org.silo.archive.catalog.CatalogBackup;
import org.silo.archive.catalog.Sql;
import org.silo.archive.file.FileRecorder;
import org.silo.archive.ops.FileMessages.FsckReport;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.Backend;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Issue 13, deletes and space, and fsck of containers, in the catalog (no movers: the containers are
 * written here with the movers' own writer and recorded with their recorder). On SQLite and PostgreSQL,
 * on a dir and an S3 volume: a member removed is dead space that vol show reports, and backup keeps it;
 * fsck reads each container, names the one member whose bytes are wrong, and warns of a container no
 * record names without counting it as a file.
 */
class DeadSpaceTest {
    static S3Fixture s3;

    @TempDir
    Path data;

    TestCatalogs catalogs;
    ArchiveService archive;
    String prefix;

    @BeforeAll
    static void s3() throws Exception {
        s3 = new S3Fixture();
    }

    @AfterAll
    static void noS3() throws Exception {
        s3.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("sqlite", "dir"),
                Arguments.of("sqlite", "s3"),
                Arguments.of("pg", "dir"),
                Arguments.of("pg", "s3"));
    }

    void start(String catalog, String backend) throws Exception {
        catalogs = new TestCatalogs(catalog);
        archive = ArchiveService.open(data, catalogs.setting);
        prefix = "dead-" + System.nanoTime();
        archive.volumes()
                .addvol(
                        new AddVol(
                                "CONT01",
                                "lib",
                                null,
                                "1G",
                                backend.equals("dir") ? "dir:cont01" : s3.uri(prefix),
                                "sg",
                                "ff"),
                        "test");
    }

    @AfterEach
    void stop() throws Exception {
        if (archive != null) {
            archive.close();
        }
        if (catalogs != null) {
            catalogs.close();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void removedMembersAreDeadSpaceThatVolShowReportsAndBackupKeeps(String catalog, String backend) throws Exception {
        start(catalog, backend);
        archive.namespace().mkdir("/d", false, "alice");
        List<String> bfids = container("CONT01", new String[] {"/d/a", "/d/b", "/d/c"}, new int[] {1000, 2000, 3000});
        VolumeInfo v = archive.volumes().inquire("CONT01");
        assertThat(v.containers()).isEqualTo(1);
        assertThat(v.deadBytes()).isZero();

        archive.namespace().rm("/d/b");
        assertThat(archive.volumes().inquire("CONT01").deadBytes())
                .as("silo rm of a member")
                .isEqualTo(2000);
        archive.files().delete(bfids.get(2));
        assertThat(archive.volumes().inquire("CONT01").deadBytes())
                .as("del_bfid of another")
                .isEqualTo(5000);
        archive.files().edit(bfids.get(2), null, "active");
        assertThat(archive.volumes().inquire("CONT01").deadBytes())
                .as("brought back to life")
                .isEqualTo(2000);
        assertThat(archive.volumes().list(null))
                .filteredOn(x -> x.label().equals("CONT01"))
                .singleElement()
                .satisfies(
                        x -> assertThat(x.deadBytes()).isEqualTo(2000)); // vol ls, and the console's list, say it too

        Path dest = data.resolve("backups").resolve("dead.bak");
        CatalogBackup.backup(archive.catalog(), dest);
        archive.namespace().rm("/d/a");
        archive.namespace().rm("/d/c");
        long size = archive.catalog().tx(c -> Sql.count(c, "SELECT size FROM container WHERE volume = 'CONT01'"));
        assertThat(archive.volumes().inquire("CONT01").deadBytes())
                .as("no member lives: the whole container is dead")
                .isEqualTo(size);

        archive.close();
        archive = null;
        CatalogBackup.restore(dest, data, catalogs.setting);
        archive = ArchiveService.open(data, catalogs.setting);
        VolumeInfo back = archive.volumes().inquire("CONT01");
        assertThat(back.containers()).isEqualTo(1);
        assertThat(back.deadBytes())
                .as("the backup holds the containers and their live counts")
                .isEqualTo(2000);
        assertThat(archive.namespace().stat("/d/a").bfid()).isEqualTo(bfids.get(0));
        assertThat(archive.files().info(bfids.get(0)).cookie()).contains("+");
        assertThat(new String(archive.files().read("/d/a"), java.nio.charset.StandardCharsets.ISO_8859_1))
                .isEqualTo(new String(content("/d/a", 1000), java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void fsckNamesTheBadMemberAndWarnsOfAnOrphanContainer(String catalog, String backend) throws Exception {
        start(catalog, backend);
        archive.namespace().mkdir("/m", false, "alice");
        String[] names = {"/m/0", "/m/1", "/m/2", "/m/3", "/m/4"};
        List<String> bfids = container("CONT01", names, new int[] {700, 5000, 4096, 1, 9000});
        FsckReport clean = archive.files().fsck();
        assertThat(clean.checked()).isEqualTo(5);
        assertThat(clean.problems()).isEmpty();
        assertThat(clean.warnings()).isEmpty();

        String cookie = archive.files().info(bfids.get(2)).cookie();
        Backend.Location at = Backend.location(cookie);
        Backend b = archive.volumes()
                .backends()
                .get(archive.volumes().inquire("CONT01").backend());
        byte[] whole;
        try (InputStream in = b.open(at.fileCookie())) {
            whole = in.readAllBytes();
        }
        whole[(int) at.offset() + 17] ^= 0x40;
        overwrite(backend, at.fileCookie(), whole);

        FsckReport bad = archive.files().fsck();
        assertThat(bad.checked()).isEqualTo(5);
        assertThat(bad.problems()).singleElement().satisfies(p -> {
            assertThat(p.bfid()).isEqualTo(bfids.get(2));
            assertThat(p.path()).isEqualTo("/m/2");
            assertThat(p.problem())
                    .contains("member of container " + at.fileCookie())
                    .contains("adler32");
        });
        assertThatThrownBy(() -> archive.files().read("/m/2"))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IO));
        assertThat(archive.files().read("/m/3")).isEqualTo(content("/m/3", 1));
        assertThat(archive.files().read("/m/4")).isEqualTo(content("/m/4", 9000));

        // a container named on the volume whose group was never recorded (a crash between the two)
        Backend.NewFile orphan = b.create();
        ContainerWriter w = new ContainerWriter(orphan.out(), "CONT01", orphan.cookie(), System.currentTimeMillis());
        w.add("m/never1", 100, new ByteArrayInputStream(new byte[100]), "alice", null);
        w.add("m/never2", 200, new ByteArrayInputStream(new byte[200]), "alice", null);
        w.finish();
        orphan.commit(() -> {});
        archive.catalog().tx(c -> Sql.update(c, "UPDATE volume SET writing = 'mover-b' WHERE label = 'CONT01'"));
        assertThat(archive.files().fsck().warnings())
                .as("past the last recorded file of a volume being written: a group not yet committed")
                .isEmpty();
        archive.catalog().tx(c -> Sql.update(c, "UPDATE volume SET writing = NULL WHERE label = 'CONT01'"));
        FsckReport withOrphan = archive.files().fsck();
        assertThat(withOrphan.checked())
                .as("an orphan is not a file, good or bad")
                .isEqualTo(5);
        assertThat(withOrphan.problems()).hasSize(1);
        assertThat(withOrphan.warnings())
                .singleElement()
                .asString()
                .contains(orphan.cookie())
                .contains("orphan container of 2 files")
                .contains("dead space");
    }

    /**
     * What a writer that stopped mid-way left (an orphan container, and on a dir volume the part file of a
     * file it never named) is warned of by fsck; reclaim leaves a volume being written alone, and on a
     * volume no writer holds frees exactly that: recorded files still read, the orphan's number stays
     * taken, and fsck is clean.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void reclaimFreesWhatAStoppedWriterLeftAndNothingElse(String catalog, String backend) throws Exception {
        start(catalog, backend);
        archive.namespace().mkdir("/r", false, "alice");
        container("CONT01", new String[] {"/r/a", "/r/b"}, new int[] {3000, 5000});
        Backend b = archive.volumes()
                .backends()
                .get(archive.volumes().inquire("CONT01").backend());
        Backend.NewFile orphan = b.create();
        ContainerWriter w = new ContainerWriter(orphan.out(), "CONT01", orphan.cookie(), System.currentTimeMillis());
        w.add("r/never", 4000, new ByteArrayInputStream(new byte[4000]), "alice", null);
        w.finish();
        orphan.commit(() -> {});
        java.nio.file.Path part = data.resolve("cont01").resolve(".0000007.5eed5eed.part");
        if (backend.equals("dir")) { // a writer of another process, killed before it named its file
            java.nio.file.Files.write(part, new byte[1234]);
        }
        List<String> warned = archive.files().fsck().warnings();
        assertThat(warned)
                .anySatisfy(x -> assertThat(x).contains(orphan.cookie()).contains("orphan container"));
        if (backend.equals("dir")) {
            assertThat(warned)
                    .hasSize(2)
                    .anySatisfy(x -> assertThat(x)
                            .contains(".0000007.5eed5eed.part")
                            .contains("1234 bytes of an unfinished write"));
        } else {
            assertThat(warned).hasSize(1);
        }

        archive.catalog().tx(c -> Sql.update(c, "UPDATE volume SET writing = 'mover-b' WHERE label = 'CONT01'"));
        var busy = archive.files().reclaim(null);
        assertThat(busy.freed()).as("a volume being written is left alone").isEmpty();
        assertThat(busy.skipped()).singleElement().asString().contains("CONT01").contains("mover-b");
        assertThat(size(b, orphan.cookie())).isPositive();

        archive.catalog().tx(c -> Sql.update(c, "UPDATE volume SET writing = NULL WHERE label = 'CONT01'"));
        var done = archive.files().reclaim("");
        assertThat(done.skipped()).isEmpty();
        assertThat(done.freed()).hasSize(backend.equals("dir") ? 2 : 1);
        assertThat(done.freed())
                .anySatisfy(x -> assertThat(x).contains(orphan.cookie()).contains("emptied"));
        assertThat(size(b, orphan.cookie())).as("emptied, its number kept").isZero();
        assertThat(java.nio.file.Files.exists(part)).isFalse();

        FsckReport after = archive.files().fsck();
        assertThat(after.problems()).isEmpty();
        assertThat(after.warnings()).isEmpty();
        assertThat(after.checked()).isEqualTo(2);
        assertThat(archive.files().read("/r/a")).isEqualTo(content("/r/a", 3000));
        assertThat(archive.files().read("/r/b")).isEqualTo(content("/r/b", 5000));
        assertThat(archive.files().reclaim(null).freed())
                .as("nothing left to free")
                .isEmpty();
        List<String> next = container("CONT01", new String[] {"/r/c"}, new int[] {10});
        assertThat(Backend.fileNumber(archive.files().info(next.get(0)).cookie()))
                .as("the emptied orphan's number is not given again")
                .isGreaterThan(Backend.fileNumber(orphan.cookie()));
    }

    /** A file's length on its backend. */
    static long size(Backend b, String cookie) throws Exception {
        try (InputStream in = b.open(cookie)) {
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    void overwrite(String backend, String cookie, byte[] bytes) throws Exception {
        String name = cookie.substring(15);
        if (backend.equals("dir")) {
            java.nio.file.Files.write(data.resolve("cont01").resolve(name), bytes);
        } else {
            s3.putObject(prefix + "/" + name, bytes);
        }
    }

    static byte[] content(String path, int size) {
        byte[] b = new byte[size];
        new Random(path.hashCode()).nextBytes(b);
        return b;
    }

    /** Writes a container of these files on the volume, as a mover does, and records it in one transaction: their bfids. */
    List<String> container(String volume, String[] paths, int[] sizes) throws Exception {
        Backend b = archive.volumes()
                .backends()
                .get(archive.volumes().inquire(volume).backend());
        Backend.NewFile f = b.create();
        long now = System.currentTimeMillis();
        ContainerWriter w = new ContainerWriter(f.out(), volume, f.cookie(), now);
        List<FileRecorder.ToRecord> recs = new ArrayList<>();
        for (int i = 0; i < paths.length; i++) {
            byte[] data = content(paths[i], sizes[i]);
            ContainerWriter.Member m =
                    w.add(paths[i].substring(1), data.length, new ByteArrayInputStream(data), "alice", null);
            recs.add(new FileRecorder.ToRecord(
                    i,
                    paths[i],
                    Backend.memberCookie(f.cookie(), m.dataOffset(), m.size()),
                    m.size(),
                    m.adler32(),
                    null,
                    "alice"));
        }
        long length = w.finish();
        f.commit(() -> {});
        List<FileRecorder.Outcome> out =
                archive.catalog().tx(c -> archive.files().recorder().record(c, volume, f.cookie(), length, recs, now));
        assertThat(out).allSatisfy(o -> assertThat(o.error()).isNull());
        return out.stream().map(FileRecorder.Outcome::bfid).toList();
    }
}
