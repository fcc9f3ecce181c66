package org.silo.block.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageStoreTest {
    @TempDir
    Path dir;

    private ImageStore store() throws Exception {
        return new ImageStore(dir.resolve("images"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "/etc/passwd", "a\\b", "a\0b", "..", "../x", "a..b", "."})
    void badNamesAreRefusedWithAClearMessage(String name) throws Exception {
        ImageStore store = store();
        assertThatThrownBy(() -> store.create(name, 4096, false))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.INVALID_NAME))
                .hasMessageStartingWith("image name");
        assertThatThrownBy(() -> store.open(name, Access.READ, "t")).isInstanceOf(ImageException.class);
        assertThat(Files.list(dir.resolve("images"))).isEmpty();
    }

    @Test
    void nameLengthLimitIs255Bytes() throws Exception {
        ImageStore store = store();
        store.create("n".repeat(255), 512, false);
        assertThatThrownBy(() -> store.create("n".repeat(256), 512, false))
                .hasMessageContaining("longer than 255 bytes");
        assertThatThrownBy(() -> store.create("é".repeat(128), 512, false)) // 256 UTF-8 bytes
                .hasMessageContaining("longer than 255 bytes");
    }

    @Test
    void symlinksOutOfTheDirectoryAreNotImages() throws Exception {
        ImageStore store = store();
        Path outside = Files.write(dir.resolve("secret"), new byte[4096]);
        Files.createSymbolicLink(store.directory().resolve("link"), outside);
        assertThatThrownBy(() -> store.open("link", Access.READ, "t"))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.NOT_FOUND));
        assertThat(store.list()).isEmpty();
    }

    @Test
    void createIsSparseAndListShowsAllocation() throws Exception {
        ImageStore store = store();
        store.create("disk", 64 << 20, false);
        ImageInfo info = store.info("disk");
        assertThat(info.sizeBytes()).isEqualTo(64 << 20);
        assertThat(info.allocatedBytes()).isZero();
        try (ImageLease lease = store.open("disk", Access.WRITE, "t")) {
            lease.write(ByteBuffer.wrap(new byte[8192]).put(0, (byte) 1), 1 << 20);
        }
        assertThat(store.list())
                .singleElement()
                .satisfies(i -> assertThat(i.allocatedBytes()).isBetween(4096L, 1L << 20));
    }

    @Test
    void sizesMustBePositiveMultiplesOf512() throws Exception {
        ImageStore store = store();
        for (long bad : new long[] {0, -512, 1000}) {
            assertThatThrownBy(() -> store.create("d", bad, false))
                    .isInstanceOfSatisfying(
                            ImageException.class,
                            e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.INVALID_SIZE));
        }
    }

    @Test
    void oneWriterManyReaders() throws Exception {
        ImageStore store = store();
        store.create("disk", 4096, false);
        try (ImageLease w = store.open("disk", Access.WRITE, "first");
                ImageLease r = store.open("disk", Access.READ, "reader")) {
            assertThatThrownBy(() -> store.open("disk", Access.WRITE, "second"))
                    .isInstanceOfSatisfying(
                            ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.BUSY))
                    .hasMessageContaining("first");
            w.write(ByteBuffer.wrap(new byte[] {7}), 10);
            ByteBuffer b = ByteBuffer.allocate(1);
            r.read(b, 10);
            assertThat(b.get(0)).isEqualTo((byte) 7);
            assertThat(store.info("disk").holders()).containsExactly("first (write)", "reader (read)");
            assertThatThrownBy(() -> store.remove("disk")).hasMessageContaining("open");
            assertThatThrownBy(() -> store.resize("disk", 8192)).hasMessageContaining("open");
        }
        store.open("disk", Access.WRITE, "second").close();
    }

    @Test
    void readOnlyFlagPersistsAndRefusesWriters() throws Exception {
        store().create("rom", 4096, true);
        ImageStore again = store();
        assertThat(again.info("rom").readOnly()).isTrue();
        assertThatThrownBy(() -> again.open("rom", Access.WRITE, "t"))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.READ_ONLY));
        try (ImageLease r = again.open("rom", Access.READ, "t")) {
            assertThat(r.writable()).isFalse();
        }
        assertThat(again.setReadOnly("rom", false).readOnly()).isFalse();
        again.open("rom", Access.WRITE, "t").close();
    }

    @Test
    void resizeRemoveAndDuplicates() throws Exception {
        ImageStore store = store();
        store.create("d", 4096, false);
        assertThatThrownBy(() -> store.create("d", 4096, false))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.EXISTS));
        assertThat(store.resize("d", 1 << 30).sizeBytes()).isEqualTo(1 << 30);
        assertThat(store.resize("d", 512).sizeBytes()).isEqualTo(512);
        store.remove("d");
        assertThat(store.exists("d")).isFalse();
        assertThatThrownBy(() -> store.remove("d"))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.NOT_FOUND));
    }

    @Test
    void trimPunchesHolesAndExtentsSeeThem() throws Exception {
        ImageStore store = store();
        store.create("d", 1 << 20, false);
        try (ImageLease lease = store.open("d", Access.WRITE, "t")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(lease.sparseAware(), "no JNA libc: no holes");
            lease.write(ByteBuffer.wrap(new byte[65536]).put(0, (byte) 9), 0);
            assertThat(lease.extents(0, 1 << 20, 10))
                    .containsExactly(new Extent(0, 65536, false), new Extent(65536, (1 << 20) - 65536, true));
            assertThat(lease.trim(0, 65536)).isTrue();
            assertThat(lease.extents(0, 1 << 20, 10)).containsExactly(new Extent(0, 1 << 20, true));
            ByteBuffer b = ByteBuffer.allocate(1);
            lease.read(b, 0);
            assertThat(b.get(0)).isZero();
        }
    }

    @Test
    void mappedViewsSeeWritesAndHolesOfEveryLease() throws Exception {
        ImageStore store = store();
        store.create("d", 1 << 20, false);
        try (ImageLease writer = store.open("d", Access.WRITE, "w");
                ImageLease reader = store.open("d", Access.READ, "r")) {
            ByteBuffer v = reader.view(4096, 512);
            assertThat(v.isReadOnly()).isTrue();
            assertThat(v.remaining()).isEqualTo(512);
            assertThat(v.get(0)).isZero();
            writer.write(ByteBuffer.wrap(new byte[512]).put(0, (byte) 7).put(511, (byte) 8), 4096);
            assertThat(reader.view(4096, 512).get(0)).isEqualTo((byte) 7); // one page cache
            assertThat(v.get(511)).isEqualTo((byte) 8); // even a view taken before the write
            writer.writeZeroes(4096, 512, true);
            assertThat(reader.view(4096, 512).get(0)).isZero();
            assertThat(reader.view((1 << 20) - 512, 512).remaining()).isEqualTo(512);
            assertThatThrownBy(() -> reader.view((1 << 20) - 256, 512)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
