package org.silo.archive.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.archive.Tmpfs;

/** A get's write-behind: every byte in order, and a failing write reported without ever stopping the reader. */
@Timeout(300) // a hang guard only: a writer that stopped recycling buffers would block the reader for good
class WriteBehindTest {
    @TempDir
    Path dir;

    /** Hands {@code data} over in pieces of random length, as a socket gives them; the writer's error, if any. */
    private static IOException writeAll(FileChannel ch, byte[] data, int bufferSize) throws IOException {
        Random r = new Random(3);
        try (WriteBehind wb = new WriteBehind(ch, bufferSize)) {
            int at = 0;
            while (at < data.length) {
                ByteBuffer b = wb.buffer();
                int n = Math.min(data.length - at, 1 + r.nextInt(bufferSize));
                b.put(data, at, n);
                wb.write(b);
                at += n;
            }
            return wb.finish();
        }
    }

    @Test
    void everyByteLandsInOrder() throws Exception {
        byte[] data = new byte[5_000_000];
        new Random(1).nextBytes(data);
        Path f = dir.resolve("out");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            assertThat(writeAll(ch, data, 64 * 1024)).isNull();
        }
        assertThat(Files.readAllBytes(f)).isEqualTo(data);
    }

    /** A real full file system: the reader goes on to the end (the frame must be read whole) and hears ENOSPC once. */
    @Test
    void aFullDiskIsReportedAndTheReaderIsNeverHeldUp() throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(2).nextBytes(data);
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("small"), "1m");
                FileChannel ch = FileChannel.open(
                        fs.dir().resolve("out"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            IOException e = writeAll(ch, data, 256 * 1024);
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).containsIgnoringCase("space");
        }
    }

    @Test
    void aChannelThatCannotBeWrittenIsAnErrorNotAHang() throws Exception {
        Path f = Files.write(dir.resolve("ro"), new byte[0]);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            IOException e = writeAll(ch, new byte[3 << 20], 128 * 1024);
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("NonWritableChannelException");
        }
    }
}
