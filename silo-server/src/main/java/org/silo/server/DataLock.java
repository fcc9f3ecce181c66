package org.silo.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One server per data directory: {@code <data>/silo.lock}, locked with {@link FileChannel#tryLock} while the
 * server runs and holding its pid, so that a second server is refused at once, naming the first (rather than
 * meeting its catalog's SQLITE_BUSY seconds later). The operating system drops the lock when the process
 * ends, however it ends. The file itself stays: removing it could let two servers each lock a different file
 * of the same name.
 */
final class DataLock implements AutoCloseable {
    static final String FILE = "silo.lock";

    /**
     * Data directories locked by this process. A file lock is the whole process's: a second lock here would
     * throw, and closing a second channel on the file would drop the first one's lock on some systems, so
     * servers in one process (tests) are told apart before the file is opened.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DataLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks the data directory (which exists), or refuses naming the server that holds it. */
    static DataLock acquire(Path data) throws IOException {
        Path dir = data.toRealPath();
        if (!HELD.add(dir)) {
            throw refused(data, String.valueOf(ProcessHandle.current().pid()));
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(
                    dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw refused(data, holder(channel));
            }
            channel.truncate(0);
            channel.write(
                    ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new DataLock(dir, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            HELD.remove(dir);
            throw e;
        }
    }

    private static StartRefused refused(Path data, String pid) {
        return new StartRefused("a silo server already runs with data in " + data + " (pid " + pid + ")");
    }

    /** The pid the holder wrote, or "unknown" (it may be between locking and writing). */
    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        channel.read(b, 0);
        String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
        return pid.matches("\\d+") ? pid : "unknown";
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            HELD.remove(dir);
        }
    }
}
