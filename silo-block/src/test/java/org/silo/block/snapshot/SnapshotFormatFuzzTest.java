package org.silo.block.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * A snapshot file is read from the archive, where anyone with write rights could have put anything: a file
 * that is not a valid snapshot is refused with an IOException that says why, never read past its end,
 * never an exception of another kind, and a valid one with a byte changed anywhere in its header or table
 * is either refused or still describes ranges inside the image.
 */
class SnapshotFormatFuzzTest {
    private static final long IMAGE = 1 << 20;

    /** A valid incremental snapshot: two data extents and a zero one. */
    private static byte[] valid() throws IOException {
        Path f = Files.createTempFile("snap", ".bin");
        try {
            try (SnapshotWriter w = new SnapshotWriter(f, IMAGE, 1, UUID.randomUUID(), UUID.randomUUID())) {
                w.data(0, ByteBuffer.wrap(new byte[65536]));
                w.zero(65536, 65536);
                w.data(4 * 65536, ByteBuffer.wrap(new byte[1000]));
                w.finish();
            }
            return Files.readAllBytes(f);
        } finally {
            Files.delete(f);
        }
    }

    private static SnapshotFormat.Parsed read(byte[] bytes) throws IOException {
        Path f = Files.createTempFile("snap", ".bin");
        try {
            Files.write(f, bytes);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                return SnapshotFormat.read(ch, 0, bytes.length);
            }
        } finally {
            Files.delete(f);
        }
    }

    @Property(tries = 300)
    void randomBytesAreRefusedWithAReason(@ForAll @Size(max = 400) byte[] bytes) {
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class).hasMessageContaining("snapshot");
    }

    @Property(tries = 500)
    void aChangedByteIsRefusedOrStillInsideTheImage(
            @ForAll @IntRange(min = 0, max = 10_000) int where, @ForAll byte value) throws IOException {
        byte[] b = valid();
        int header = SnapshotFormat.HEADER_SIZE;
        int tableAt = b.length - 3 * SnapshotFormat.ENTRY_SIZE;
        // the header or the table: the data bytes are the image's own and may be anything
        int at = where % (header + 3 * SnapshotFormat.ENTRY_SIZE);
        at = at < header ? at : tableAt + (at - header);
        b[at] = value;
        SnapshotFormat.Parsed p;
        try {
            p = read(b);
        } catch (IOException refused) {
            return;
        }
        long end = 0;
        for (SnapshotFormat.Entry e : p.entries()) {
            assertThat(e.offset()).isGreaterThanOrEqualTo(end);
            assertThat(e.end()).isLessThanOrEqualTo(p.header().imageSize());
            if (!e.zero()) {
                assertThat(e.fileOffset() + e.length())
                        .isLessThanOrEqualTo(p.header().tableOffset());
            }
            end = e.end();
        }
    }

    @Test
    void aValidFileReadsBack() throws IOException {
        SnapshotFormat.Parsed p = read(valid());
        assertThat(p.header().incremental()).isTrue();
        assertThat(p.entries())
                .extracting(SnapshotFormat.Entry::offset, SnapshotFormat.Entry::length, SnapshotFormat.Entry::zero)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0L, 65536L, false),
                        org.assertj.core.groups.Tuple.tuple(65536L, 65536L, true),
                        org.assertj.core.groups.Tuple.tuple(4L * 65536, 1000L, false));
    }
}
