package org.silo.block.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.silo.block.image.Access;
import org.silo.block.image.Extent;
import org.silo.block.image.FrozenImage;
import org.silo.block.image.ImageException;
import org.silo.block.image.ImageLease;
import org.silo.block.image.ImageStore;

/**
 * Snapshots on a real image store and real files: the point in time under writes, incremental chains,
 * the change map across a restart and a crash, and thinning. Each snapshot read back is compared byte for
 * byte with a copy of the image taken at the same point.
 */
class SnapshotTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /** A test's own list of snapshots, oldest first, as the server's catalog keeps them. */
    private final List<Path> files = new ArrayList<>();

    private UUID last;

    private SnapshotFormat.Header snapshot(ImageStore store, String image) throws Exception {
        try (FrozenImage f = store.freeze(image, "test")) {
            return store(f);
        }
    }

    private SnapshotFormat.Header store(FrozenImage f) throws Exception {
        UUID uid = UUID.randomUUID();
        boolean incremental = last != null && last.equals(f.base());
        Path file = dir.resolve("snap-" + files.size());
        SnapshotFormat.Header h =
                SnapshotWriter.write(f, file, uid, incremental ? last : null, incremental ? f.changed() : null);
        f.stored(uid);
        files.add(file);
        last = uid;
        return h;
    }

    private SnapshotChain chain(int upTo) throws IOException {
        List<SnapshotChain.Member> chain = new ArrayList<>();
        for (int i = 0; i <= upTo; i++) {
            SnapshotChain.Member m = open(files.get(i));
            if (!m.header().incremental()) {
                for (SnapshotChain.Member older : chain) {
                    older.channel().close();
                }
                chain.clear();
            }
            chain.add(m);
        }
        return new SnapshotChain(chain, false);
    }

    private static SnapshotChain.Member open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        return SnapshotChain.Member.open(ch, 0, ch.size());
    }

    private static byte[] readAll(SnapshotChain c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) c.size());
        c.read(b, 0);
        return b.array();
    }

    private static void write(ImageLease lease, long at, byte[] data) throws IOException {
        lease.write(ByteBuffer.wrap(data), at);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] image(ImageStore store, String name) throws Exception {
        try (ImageLease l = store.open(name, Access.READ, "check")) {
            ByteBuffer b = ByteBuffer.allocate((int) l.size());
            l.read(b, 0);
            return b.array();
        }
    }

    @Test
    void aSnapshotHoldsThePointItWasTakenAtWhileWritesGoOn() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("images"));
        store.create("d", 4 * MIB, false);
        try (ImageLease w = store.open("d", Access.WRITE, "writer")) {
            write(w, 0, bytes(MIB, 1));
            write(w, 3 * MIB, bytes(4096, 2));
            byte[] before = image(store, "d");
            try (FrozenImage f = store.freeze("d", "test")) {
                // writes after the freeze began: over data, over a hole, a trim and zeros
                write(w, 4096, bytes(100_000, 3));
                write(w, 2 * MIB, bytes(4096, 4));
                w.trim(3 * MIB, 4096);
                w.writeZeroes(512 * 1024, 65536, false);
                assertThat(f.copiedBlocks()).isPositive();
                SnapshotFormat.Header h = store(f);
                assertThat(h.incremental()).isFalse();
                assertThat(h.dataBytes()).isEqualTo(MIB + 65536); // the data extents, in 64 KiB blocks
            }
            try (SnapshotChain c = chain(0)) {
                assertThat(readAll(c)).isEqualTo(before);
                assertThat(c.extents(0, 4 * MIB, 100))
                        .containsExactly(
                                new Extent(0, MIB, false),
                                new Extent(MIB, 2 * MIB, true),
                                new Extent(3 * MIB, 65536, false),
                                new Extent(3 * MIB + 65536, MIB - 65536, true));
            }
            assertThat(image(store, "d")).isNotEqualTo(before);
        }
    }

    @Test
    void anIncrementalSnapshotStoresOnlyTheChangedBlocksAndReadsBackExactly() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("images"));
        store.create("d", 64 * MIB, false);
        List<byte[]> points = new ArrayList<>();
        try (ImageLease w = store.open("d", Access.WRITE, "writer")) {
            for (int i = 0; i < 32; i++) {
                write(w, (long) i * 2 * MIB, bytes(MIB, 10 + i));
            }
            points.add(image(store, "d"));
            assertThat(snapshot(store, "d").incremental()).isFalse();
            write(w, 5 * MIB, bytes(MIB, 99)); // 1 MiB changed
            points.add(image(store, "d"));
            SnapshotFormat.Header h = snapshot(store, "d");
            assertThat(h.incremental()).isTrue();
            assertThat(h.dataBytes()).isEqualTo(MIB);
            w.trim(0, 2 * MIB); // a trim is stored as ZERO, no bytes
            write(w, 63 * MIB + 1000, bytes(10, 5));
            points.add(image(store, "d"));
            h = snapshot(store, "d");
            assertThat(h.dataBytes()).isEqualTo(65536);
        }
        for (int i = 0; i < points.size(); i++) {
            try (SnapshotChain c = chain(i)) {
                assertThat(readAll(c)).as("snapshot %d", i).isEqualTo(points.get(i));
            }
        }
    }

    @Test
    void aRestartKeepsTheChainIncrementalAndACrashMakesTheNextSnapshotFull() throws Exception {
        Path images = dir.resolve("images");
        ImageStore store = new ImageStore(images);
        store.create("d", 8 * MIB, false);
        try (ImageLease w = store.open("d", Access.WRITE, "writer")) {
            write(w, 0, bytes(MIB, 1));
        }
        snapshot(store, "d");
        try (ImageLease w = store.open("d", Access.WRITE, "writer")) {
            write(w, 2 * MIB, bytes(4096, 2));
        } // closed: the map is saved

        ImageStore restarted = new ImageStore(images);
        assertThat(restarted.changesSince("d")).isEqualTo(last);
        assertThat(snapshot(restarted, "d").incremental()).isTrue();

        ImageLease w = restarted.open("d", Access.WRITE, "writer");
        write(w, 4 * MIB, bytes(4096, 3)); // and the server dies: the map stays "in use"
        ImageStore afterCrash = new ImageStore(images);
        assertThat(afterCrash.changesSince("d")).isNull();
        try (FrozenImage f = afterCrash.freeze("d", "test")) {
            assertThat(f.base()).isNull();
            assertThat(f.untrusted()).contains("without saving its change map");
            assertThat(store(f).incremental()).isFalse();
        }
        w.close();
    }

    @Test
    void aFailedSnapshotLosesNoChangeForTheNext() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("images"));
        store.create("d", 8 * MIB, false);
        try (ImageLease w = store.open("d", Access.WRITE, "writer")) {
            write(w, 0, bytes(MIB, 1));
            snapshot(store, "d");
            write(w, 3 * MIB, bytes(4096, 2));
            try (FrozenImage f = store.freeze("d", "test")) {
                assertThat(f.changed().cardinality()).isEqualTo(1);
                write(w, 6 * MIB, bytes(4096, 3));
                // closed without stored(): as if the archive refused it
            }
            byte[] now = image(store, "d");
            SnapshotFormat.Header h = snapshot(store, "d");
            assertThat(h.incremental()).isTrue();
            assertThat(h.dataBytes()).isEqualTo(2 * 65536);
            try (SnapshotChain c = chain(1)) {
                assertThat(readAll(c)).isEqualTo(now);
            }
        }
    }

    @Test
    void oneSnapshotAtATimeAndNoImageNameWithAnAt() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("images"));
        store.create("d", MIB, false);
        try (FrozenImage f = store.freeze("d", "a")) {
            assertThatThrownBy(() -> store.freeze("d", "b"))
                    .isInstanceOf(ImageException.class)
                    .hasMessageContaining("being taken already");
        }
        store.freeze("d", "c").close();
        assertThatThrownBy(() -> store.create("d@1", MIB, false)).hasMessageContaining("'@'");
    }

    /**
     * Thinning: merging each snapshot but the first and the last into its child keeps every other one
     * byte for byte, over many random writes, trims and zeroings.
     */
    @Test
    void mergingASnapshotIntoItsChildKeepsEveryOtherPointInTime() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("images"));
        int size = 16 * MIB;
        store.create("d", size, false);
        Random r = new Random(42);
        List<byte[]> points = new ArrayList<>();
        try (ImageLease w = store.open("d", Access.WRITE, "writer")) {
            for (int s = 0; s < 6; s++) {
                for (int i = 0; i < 20; i++) {
                    long at = r.nextInt(size - 200_000);
                    int len = 1 + r.nextInt(200_000);
                    switch (r.nextInt(4)) {
                        case 0 -> w.trim(at / 4096 * 4096, 65536);
                        case 1 -> w.writeZeroes(at, len, r.nextBoolean());
                        default -> write(w, at, bytes(len, r.nextInt()));
                    }
                }
                points.add(image(store, "d"));
                snapshot(store, "d");
            }
        }
        for (int i = 0; i < points.size(); i++) {
            try (SnapshotChain c = chain(i)) {
                assertThat(readAll(c)).as("snapshot %d", i).isEqualTo(points.get(i));
            }
        }
        // remove snapshot 0 (the full one): its child becomes full; then 2 of the rest, merged into 3
        merge(0);
        merge(1); // was snapshot 2, now at index 1
        List<Integer> kept = List.of(1, 3, 4, 5);
        for (int i = 0; i < kept.size(); i++) {
            try (SnapshotChain c = chain(i)) {
                assertThat(Arrays.equals(readAll(c), points.get(kept.get(i))))
                        .as("snapshot %d", kept.get(i))
                        .isTrue();
            }
        }
    }

    /** Merges files[i] into files[i + 1] and drops files[i]. */
    private void merge(int i) throws IOException {
        SnapshotChain.Member parent = open(files.get(i));
        SnapshotChain.Member child = open(files.get(i + 1));
        Path merged = dir.resolve("merged-" + i + "-" + files.size());
        try (SnapshotChain pair = new SnapshotChain(List.of(parent, child), true);
                SnapshotWriter w = new SnapshotWriter(
                        merged,
                        child.header().imageSize(),
                        child.header().takenMillis(),
                        child.header().uid(),
                        parent.header().parent())) {
            pair.writeTo(w);
            w.finish();
        }
        Files.delete(files.get(i));
        files.set(i + 1, merged);
        files.remove(i);
    }
}
