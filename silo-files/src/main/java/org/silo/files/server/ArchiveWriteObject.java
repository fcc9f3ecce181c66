package org.silo.files.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.silo.files.FilesOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * A new archive file being written: the bytes go to a file in the cache's {@code writes/} directory, and
 * close archives it through a mover, answering once it is stored. Closed without a close (idle expiry,
 * server stop), nothing is archived and the file is removed.
 */
final class ArchiveWriteObject implements OpenObject {
    /** The largest file written this way (an image or a put is the way for more). */
    static final long MAX_SIZE = 1L << 40;

    private final Path file;
    private final FileChannel channel;
    private final String path;
    private final String owner;
    private final ArchivePaths archive;
    private CompletableFuture<ArchivePaths.Stored> storing;

    ArchiveWriteObject(Path file, String path, String owner, ArchivePaths archive) throws SiloException {
        this.file = file;
        this.path = path;
        this.owner = owner;
        this.archive = archive;
        try {
            Files.createDirectories(file.getParent());
            this.channel = FileChannel.open(
                    file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "cannot make the file for " + path + " in the cache: " + e);
        }
    }

    @Override
    public synchronized long size() throws SiloException {
        try {
            return channel.size();
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, e.toString());
        }
    }

    @Override
    public synchronized byte[] read(long offset, int length) throws SiloException {
        long size = size();
        if (offset >= size || length <= 0) {
            return new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(length, size - offset));
        try {
            while (b.hasRemaining() && channel.read(b, offset + b.position()) >= 0) {
                // fill
            }
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, e.toString());
        }
        return b.array();
    }

    @Override
    public synchronized int write(long offset, byte[] data) throws SiloException {
        if (storing != null) {
            throw SiloException.of(ErrorCode.BUSY, path + " is being archived; it can no longer be written");
        }
        if (offset < 0 || offset + data.length > MAX_SIZE) {
            throw SiloException.of(ErrorCode.NO_SPACE, "a file written here ends before " + MAX_SIZE + " bytes");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                channel.write(b, offset + b.position());
            }
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "writing " + path + " to the cache: " + e);
        }
        return data.length;
    }

    @Override
    public FilesOps.Closed finish(long waitMillis) throws SiloException {
        CompletableFuture<ArchivePaths.Stored> f;
        synchronized (this) {
            if (storing == null) {
                storing = new CompletableFuture<>();
                CompletableFuture<ArchivePaths.Stored> s = storing;
                Thread.ofVirtual().name("files-archive").start(() -> {
                    try {
                        channel.force(true);
                        s.complete(archive.store(file, path, owner));
                    } catch (SiloException | RuntimeException e) {
                        s.completeExceptionally(e);
                    } catch (IOException e) {
                        s.completeExceptionally(SiloException.of(ErrorCode.IO, e.toString()));
                    }
                });
            }
            f = storing;
        }
        try {
            ArchivePaths.Stored s = f.get(waitMillis, TimeUnit.MILLISECONDS);
            return new FilesOps.Closed(s.size(), s.path(), s.bfid(), s.adler32());
        } catch (TimeoutException e) {
            throw SiloException.of(
                    ErrorCode.BUSY,
                    "archiving " + path + " through a mover; close again to wait for it (retry after 1000 ms)");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SiloException s
                    ? s
                    : SiloException.of(ErrorCode.IO, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SiloException.of(ErrorCode.INTERNAL, "interrupted");
        }
    }

    @Override
    public boolean writable() {
        return storing == null;
    }

    @Override
    public long modifiedMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public int nameType() {
        return FilesOps.FILESYSTEM;
    }

    @Override
    public void close() {
        try {
            channel.close();
            if (storing == null || storing.isDone()) {
                Files.deleteIfExists(file);
            } else {
                storing.whenComplete((s, e) -> deleteQuietly());
            }
        } catch (IOException ignored) {
            // a stray file in writes/, removed at the next start
        }
    }

    private void deleteQuietly() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // removed at the next start
        }
    }
}
