package org.silo.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Backends;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.S3Backend;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/** Both volume backends: files appended in order at cookies, read back with only the backend and the cookie. */
class BackendTest {
    static S3Fixture s3;

    @TempDir
    static Path data;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3Fixture();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    static Stream<String> kinds() {
        return Stream.of("dir", "s3");
    }

    private static String spec(String kind, String name) {
        return kind.equals("dir") ? "dir:vols/" + name : s3.uri(name);
    }

    @Test
    void aFullFileSystemIsNoSpaceAndAnyOtherFailureIsIo() {
        SiloException full = Backend.io("cannot append to dir:/v", new java.io.IOException("No space left on device"));
        assertThat(full.code()).isEqualTo(ErrorCode.NO_SPACE);
        assertThat(full.getMessage()).isEqualTo("cannot append to dir:/v: No space left on device");
        assertThat(Backend.io(
                                "cannot make dir:/v",
                                new java.nio.file.FileSystemException("/v", null, "Disk quota exceeded"))
                        .code())
                .isEqualTo(ErrorCode.NO_SPACE);
        assertThat(Backend.io("cannot append to dir:/v", new java.io.IOException("Input/output error"))
                        .code())
                .isEqualTo(ErrorCode.IO);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void appendsInOrderAndReadsBackByCookieAlone(String kind) throws Exception {
        String spec;
        String c1;
        String c2;
        String c3;
        try (Backends writer = new Backends(data)) {
            spec = writer.canonical(spec(kind, "order-" + kind));
            Backend b = writer.get(spec);
            c1 = b.append("first".getBytes());
            c2 = b.append(new byte[0]);
            c3 = b.append(new byte[300_000]);
        }
        assertThat(c1).isEqualTo("0000_000000000_0000001");
        assertThat(c2).isEqualTo("0000_000000000_0000002");
        assertThat(c3).isEqualTo("0000_000000000_0000003");
        // a new process: only the backend string and the cookie
        try (Backends reader = new Backends(data)) {
            Backend b = reader.get(spec);
            try (InputStream in = b.open(c1)) {
                assertThat(in.readAllBytes()).isEqualTo("first".getBytes());
            }
            try (InputStream in = b.open(c2)) {
                assertThat(in.readAllBytes()).isEmpty();
            }
            try (InputStream in = b.open(c3)) {
                assertThat(in.readAllBytes()).hasSize(300_000);
            }
            assertThat(b.append("next".getBytes())).isEqualTo("0000_000000000_0000004");
            assertThatThrownBy(() -> b.open("0000_000000000_0000099"))
                    .isInstanceOfSatisfying(
                            SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
            assertThatThrownBy(() -> b.open("../../etc/passwd"))
                    .isInstanceOfSatisfying(
                            SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID));
        }
    }

    @org.junit.jupiter.api.Test
    void dirBackendLeavesNoPartFiles() throws Exception {
        try (Backends bs = new Backends(data)) {
            Backend b = bs.get(bs.canonical("dir:clean"));
            b.append("x".getBytes());
        }
        try (var files = Files.list(data.resolve("clean"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("0000001");
        }
    }

    @org.junit.jupiter.api.Test
    void badBackendStringsAreRefused() {
        Backends bs = new Backends(data);
        assertThatThrownBy(() -> bs.canonical("ftp://x")).hasMessageContaining("unknown backend");
        assertThatThrownBy(() -> bs.canonical("dir:")).hasMessageContaining("needs a path");
        assertThatThrownBy(() -> bs.canonical("s3:///nobucket")).hasMessageContaining("s3://BUCKET/PREFIX");
    }

    @org.junit.jupiter.api.Test
    void adler32IsSeededWithOneAndEightHexDigits() {
        assertThat(Checksums.adler32(new byte[0])).isEqualTo("00000001");
        assertThat(Checksums.adler32("Wikipedia".getBytes())).isEqualTo("11e60398");
    }

    /**
     * Two writers of one dir volume that counted the same next number (two servers' movers, had the catalog
     * let both write it): the second to finish fails, and the first's file keeps its bytes.
     */
    @Test
    void aDirVolumeNeverReplacesAFileAnotherWriterNamed() throws Exception {
        Path dir = data.resolve("two-writers");
        var first = new org.silo.archive.volume.DirBackend(dir);
        var second = new org.silo.archive.volume.DirBackend(dir);
        try (Backend.NewFile one = first.create();
                Backend.NewFile two = second.create()) {
            assertThat(two.cookie()).isEqualTo(one.cookie());
            one.out().write("first".getBytes());
            two.out().write("second".getBytes());
            one.commit(() -> {});
            assertThatThrownBy(() -> two.commit(() -> {}))
                    .isInstanceOf(org.silo.archive.volume.LostVolumeException.class)
                    .hasMessageContaining("exists already");
            try (InputStream in = first.open(one.cookie())) {
                assertThat(in.readAllBytes()).isEqualTo("first".getBytes());
            }
        }
        assertThat(first.fileNumbers()).containsExactly(1L);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("0000001");
        }
    }

    /**
     * Two writers of one S3 volume bound at the same next file: a mover whose server died, still writing
     * (stale), and the mover the catalog gave the volume to (fresh). Each new object is put with {@code
     * If-None-Match: *}: the one to put a number second fails as on a dir volume, the other's bytes stay,
     * nothing of the other's is deleted, and the loser's next file goes past the number it lost. Each way of
     * writing a file: bytes and a stream (the fresh writer's binding looks past the stale one's file 1, and
     * the stale one, mid-job, then meets the fresh one's file 2), and a file of unknown length (both numbered
     * it before either put it).
     */
    @Test
    void anS3VolumeNeverReplacesAnObjectAnotherWriterPut() throws Exception {
        Assumptions.assumeTrue(
                s3.honoursIfNoneMatch(),
                "the test store, s3proxy " + S3Fixture.version() + ", ignores If-None-Match on PutObject: "
                        + "there it replaces the object, and only the catalog's fence keeps two writers apart");
        try (S3Backend stale = S3Backend.connect(s3.uri("two-writers-bytes"));
                S3Backend fresh = S3Backend.connect(s3.uri("two-writers-bytes"))) {
            stale.startWriter(1);
            fresh.startWriter(1);
            assertThat(stale.append("stale 1".getBytes())).endsWith("_0000001");
            assertThat(fresh.append("fresh 2".getBytes())).endsWith("_0000002"); // past the object at 1
            assertAnotherWriterWroteIt(() -> stale.append("stale 2".getBytes()), 2);
            assertThat(read(fresh, 2)).isEqualTo("fresh 2");
            assertThat(stale.append("stale 3".getBytes())).endsWith("_0000003"); // past the number it lost
            assertThat(fresh.fileNumbers()).containsExactly(1L, 2L, 3L);
            assertThat(read(stale, 2)).isEqualTo("fresh 2");
        }
        try (S3Backend stale = S3Backend.connect(s3.uri("two-writers-stream"));
                S3Backend fresh = S3Backend.connect(s3.uri("two-writers-stream"))) {
            stale.startWriter(1);
            fresh.startWriter(1);
            assertThat(stale.append(stream("stale 1"), 7, () -> {})).endsWith("_0000001");
            assertThat(fresh.append(stream("fresh 2"), 7, () -> {})).endsWith("_0000002");
            java.util.concurrent.atomic.AtomicBoolean checked = new java.util.concurrent.atomic.AtomicBoolean();
            assertAnotherWriterWroteIt(() -> stale.append(stream("stale 2"), 7, () -> checked.set(true)), 2);
            assertThat(checked).as("the lost file is not offered for commit").isFalse();
            assertThat(read(fresh, 2)).isEqualTo("fresh 2");
            assertThat(fresh.fileNumbers()).containsExactly(1L, 2L);
        }
        try (S3Backend stale = S3Backend.connect(s3.uri("two-writers-new"));
                S3Backend fresh = S3Backend.connect(s3.uri("two-writers-new"))) {
            stale.startWriter(1);
            fresh.startWriter(1);
            try (Backend.NewFile one = fresh.create();
                    Backend.NewFile two = stale.create()) {
                assertThat(two.cookie()).isEqualTo(one.cookie());
                one.out().write("fresh 1".getBytes());
                two.out().write("stale 1".getBytes());
                one.commit(() -> {});
                assertAnotherWriterWroteIt(() -> two.commit(() -> {}), 1);
            }
            assertThat(read(stale, 1)).isEqualTo("fresh 1");
            assertThat(fresh.fileNumbers()).containsExactly(1L);
            try (Backend.NewFile next = stale.create()) {
                assertThat(next.cookie()).endsWith("_0000002");
            }
        }
    }

    private static InputStream stream(String s) {
        return new java.io.ByteArrayInputStream(s.getBytes());
    }

    private static void assertAnotherWriterWroteIt(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable write, long number) {
        assertThatThrownBy(write).isInstanceOfSatisfying(org.silo.archive.volume.LostVolumeException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.IO);
            assertThat(e.getMessage())
                    .contains("file " + number + " of the volume exists already: another writer wrote it");
        });
    }

    private static String read(Backend b, long number) throws Exception {
        try (InputStream in = b.open(Backend.cookie(number))) {
            return new String(in.readAllBytes());
        }
    }

    /** A writer's count kept from an earlier writing is raised to the catalog's next_file at its binding. */
    @ParameterizedTest
    @MethodSource("kinds")
    void aWriterStartsAtTheCatalogsNextFile(String kind) throws Exception {
        try (Backends backends = new Backends(data)) {
            Backend b = backends.get(spec(kind, "next-file-" + kind));
            assertThat(b.append("a".getBytes())).endsWith("_0000001");
            b.startWriter(5); // another server's movers wrote files 2 to 4 since
            assertThat(b.append("b".getBytes())).endsWith("_0000005");
            b.startWriter(3); // lower than what it counted: no step back
            assertThat(b.append("c".getBytes())).endsWith("_0000006");
        }
    }

    /**
     * The part file of a writer of another process that stopped before naming its file is removed when the
     * next writer binds the volume; the part of a file this process is writing is not, and commits.
     */
    @Test
    void aBoundWriterRemovesTheAbandonedPartsOfOthersButNotItsOwn() throws Exception {
        Path dir = data.resolve("abandoned");
        var dead = new org.silo.archive.volume.DirBackend(dir);
        Backend.NewFile left = dead.create(); // its process is killed: never committed, never closed
        left.out().write(new byte[3 << 20]); // past the 1 MiB buffer: on disk
        var next = new org.silo.archive.volume.DirBackend(dir);
        assertThat(next.leftovers()).singleElement().satisfies(l -> {
            assertThat(l.name()).startsWith(".0000001.").endsWith(".part");
            assertThat(l.bytes()).isEqualTo(3L << 20);
        });
        try (Backend.NewFile mine = next.create()) {
            mine.out().write("mine".getBytes());
            mine.out().flush();
            next.startWriter(1);
            assertThat(next.leftovers()).as("the abandoned part is gone").isEmpty();
            mine.commit(() -> {});
        }
        assertThatThrownBy(() -> left.commit(() -> {}))
                .as("a writer whose part was removed cannot name it: it has lost the volume")
                .isInstanceOf(org.silo.archive.volume.LostVolumeException.class)
                .hasMessageContaining("part file is gone");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("0000001");
        }
        try (InputStream in = next.open(Backend.cookie(1))) {
            assertThat(in.readAllBytes()).isEqualTo("mine".getBytes());
        }
    }
}
