package org.silo.archive.volume;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * A volume in a directory ({@code dir:PATH}): a local disk, a removable disk, or an LTFS-mounted tape.
 * File number {@code n} is the file {@code PATH/NNNNNNN}; it is written as {@code .NNNNNNN.RANDOM.part},
 * fsynced, given its name with a hard link (which never replaces a file of that name), and the directory
 * fsynced, so a file that exists under its final name is whole, and no writer, of this process or of
 * another server, ever writes over a file another wrote.
 */
public final class DirBackend implements Backend {
    private final Path dir;
    private long last = -1;
    /** The part files this process is writing now: {@link #removeLeftovers} leaves them alone. */
    private final java.util.Set<Path> writing = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public DirBackend(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    public Path dir() {
        return dir;
    }

    @Override
    public String uri() {
        return "dir:" + dir;
    }

    @Override
    public synchronized String append(byte[] data) throws SiloException {
        Path part = null;
        try {
            Files.createDirectories(dir);
            long n = nextNumber();
            String cookie = Backend.cookie(n);
            part = partFor(n);
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            publish(part, n);
            part = null;
            syncDir();
            last = n;
            return cookie;
        } catch (IOException e) {
            throw Backend.io("cannot append to " + uri(), e);
        } finally {
            deletePart(part);
        }
    }

    @Override
    public synchronized String append(InputStream in, long size, BeforeCommit beforeCommit) throws SiloException {
        Path part = null;
        try {
            Files.createDirectories(dir);
            long n = nextNumber();
            String cookie = Backend.cookie(n);
            part = partFor(n);
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[(int) Math.min(Math.max(size, 1), 1 << 20)];
                ByteBuffer bb = ByteBuffer.wrap(buf);
                long left = size;
                while (left > 0) {
                    int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (r < 0) {
                        throw new java.io.EOFException("the stream ended " + left + " bytes short of " + size);
                    }
                    bb.clear().limit(r);
                    while (bb.hasRemaining()) {
                        ch.write(bb);
                    }
                    left -= r;
                }
                ch.force(true);
            }
            beforeCommit.check();
            publish(part, n);
            part = null;
            syncDir();
            last = n;
            return cookie;
        } catch (IOException e) {
            throw Backend.io("cannot append to " + uri(), e);
        } finally {
            deletePart(part);
        }
    }

    /** Removes what a failed append left (null: nothing), so that a full volume keeps no half-written file. */
    private void deletePart(Path part) {
        if (part != null) {
            writing.remove(part);
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // a later append of the same file number truncates it
            }
        }
    }

    @Override
    public synchronized NewFile create() throws SiloException {
        try {
            Files.createDirectories(dir);
            long n = nextNumber();
            last = n; // reserved: an append meanwhile takes the next number, a failure leaves a gap
            return new DirNewFile(n);
        } catch (IOException e) {
            throw Backend.io("cannot start a file on " + uri(), e);
        }
    }

    /** A file being written as {@code .NNNNNNN.part}; committed by fsync, rename and a directory fsync. */
    private final class DirNewFile implements NewFile {
        private final long number;
        private final Path part;
        private final FileChannel channel;
        private final java.io.OutputStream out;
        private boolean committed;

        DirNewFile(long number) throws IOException {
            this.number = number;
            this.part = partFor(number);
            this.channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            this.out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 20);
        }

        @Override
        public java.io.OutputStream out() {
            return out;
        }

        @Override
        public String cookie() {
            return Backend.cookie(number);
        }

        @Override
        public void rewind(long position) throws IOException {
            out.flush();
            channel.truncate(position);
            channel.position(position);
        }

        @Override
        public void commit(BeforeCommit check) throws SiloException {
            try {
                out.flush();
                channel.force(true);
                channel.close();
                check.check();
                publish(part, number);
                syncDir();
                committed = true;
            } catch (IOException e) {
                throw Backend.io("cannot write file " + number + " of " + uri(), e);
            }
        }

        @Override
        public void close() {
            if (committed) {
                return;
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // removing it anyway
            }
            writing.remove(part);
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // a later file of the same number truncates it
            }
        }
    }

    /** The usable space of the file system the directory is on (of its nearest existing parent before it is made). */
    @Override
    public long freeBytes() {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        try {
            return p == null ? -1 : Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * The writer the catalog bound to this volume may write from file number {@code nextFile} on: a file
     * another server's mover wrote since this process last counted is above what it counted.
     */
    @Override
    public synchronized void startWriter(long nextFile) {
        if (nextFile - 1 > last) {
            last = nextFile - 1;
        }
        try {
            for (Leftover l : removeLeftovers()) {
                LOG.info(
                        "{}: removed {} ({} bytes), left by a writer that stopped mid-file",
                        uri(),
                        l.name(),
                        l.bytes());
            }
        } catch (SiloException e) {
            LOG.warn("{}: cannot remove what unfinished writes left: {}", uri(), e.getMessage());
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DirBackend.class);

    /**
     * Part files of new files ({@code .NNNNNNN.RANDOM.part}) this process is not writing. A delete's
     * {@code .NNNNNNN.freed.part} is not one: it is empty, and another server may be renaming it now.
     */
    @Override
    public java.util.List<Leftover> leftovers() throws SiloException {
        java.util.List<Leftover> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (java.nio.file.DirectoryStream<Path> parts = Files.newDirectoryStream(dir, ".*.part")) {
            for (Path p : parts) {
                if (!p.getFileName().toString().matches("\\.[0-9]{7,18}\\.[0-9a-f]+\\.part") || writing.contains(p)) {
                    continue;
                }
                try {
                    out.add(new Leftover(p.getFileName().toString(), Files.size(p)));
                } catch (NoSuchFileException gone) {
                    // its writer named or removed it meanwhile
                }
            }
        } catch (IOException e) {
            throw Backend.io("cannot list " + dir, e);
        }
        out.sort(java.util.Comparator.comparing(Leftover::name));
        return out;
    }

    @Override
    public synchronized java.util.List<Leftover> removeLeftovers() throws SiloException {
        java.util.List<Leftover> removed = new java.util.ArrayList<>();
        for (Leftover l : leftovers()) {
            try {
                if (Files.deleteIfExists(dir.resolve(l.name()))) {
                    removed.add(l);
                }
            } catch (IOException e) {
                throw Backend.io("cannot remove " + dir.resolve(l.name()), e);
            }
        }
        if (!removed.isEmpty()) {
            syncDir();
        }
        return removed;
    }

    /**
     * The next file number: one past the last counted, past any file of that number already on the volume
     * (written by a writer that did not get it recorded before it stopped).
     */
    private long nextNumber() throws IOException {
        long n = Math.max(lastFileNumber(), 0) + 1;
        while (Files.exists(dir.resolve(String.format("%07d", n)))) {
            n++;
        }
        return n;
    }

    /** Where file {@code n} is written before it is named: a name of its own, so two writers never share one. */
    private Path partFor(long n) {
        Path part = dir.resolve(String.format(".%07d.%s.part", n, Long.toHexString(PART_NAMES.nextLong())));
        writing.add(part);
        return part;
    }

    private static final java.security.SecureRandom PART_NAMES = new java.security.SecureRandom();

    /**
     * Gives the written file its name, never replacing a file of that name: a hard link is made (link(2)
     * fails if the name exists, atomically), then the part name removed. Where the file system has no hard
     * links the file is moved without replacing (a check, then rename(2)).
     */
    private void publish(Path part, long n) throws IOException, LostVolumeException {
        Path name = dir.resolve(String.format("%07d", n));
        try {
            try {
                Files.createLink(name, part);
            } catch (UnsupportedOperationException e) {
                Files.move(part, name);
                return;
            }
            Files.delete(part);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new LostVolumeException(
                    "cannot name file " + n + " of " + uri() + ": it exists already: another writer wrote it", e);
        } catch (NoSuchFileException e) {
            throw new LostVolumeException(
                    "cannot name file " + n + " of " + uri() + ": its part file is gone: a writer bound to the"
                            + " volume since removed it",
                    e);
        } finally {
            writing.remove(part); // named, or failed and removed by the caller: no longer being written
        }
    }

    private long lastFileNumber() throws IOException {
        if (last < 0) {
            long max = 0;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String f = p.getFileName().toString();
                    if (f.matches("[0-9]{7,18}")) {
                        max = Math.max(max, Long.parseLong(f));
                    }
                }
            }
            last = max;
        }
        return last;
    }

    private void syncDir() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems cannot open a directory for sync; the rename is still ordered after the data
        }
    }

    @Override
    public InputStream open(String cookie) throws SiloException {
        Location at = Backend.location(cookie);
        Path p = dir.resolve(String.format("%07d", at.fileNumber()));
        try {
            if (at.whole()) {
                return Files.newInputStream(p);
            }
            // a container's member: one positioned read of its range, the rest of the container untouched
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            return new RangeInputStream(
                    java.nio.channels.Channels.newInputStream(ch.position(at.offset())), at.length());
        } catch (NoSuchFileException e) {
            throw SiloException.of(ErrorCode.NOT_FOUND, "no file at cookie " + cookie + " on " + uri());
        } catch (IOException e) {
            throw Backend.io("cannot read " + p, e);
        }
    }

    @Override
    public void delete(String cookie) throws SiloException {
        Path p = path(cookie);
        if (!Files.exists(p)) {
            return;
        }
        Path empty = dir.resolve("." + p.getFileName() + ".freed.part");
        try {
            try (FileChannel ch = FileChannel.open(
                    empty, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.force(true);
            }
            Files.move(empty, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            syncDir();
        } catch (IOException e) {
            deletePart(empty);
            throw Backend.io("cannot remove the bytes of " + p, e);
        }
    }

    @Override
    public java.util.List<Long> fileNumbers() throws SiloException {
        java.util.List<Long> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String f = p.getFileName().toString();
                if (f.matches("[0-9]{7,18}")) {
                    out.add(Long.parseLong(f));
                }
            }
        } catch (IOException e) {
            throw Backend.io("cannot list " + dir, e);
        }
        java.util.Collections.sort(out);
        return out;
    }

    /** The file holding {@code cookie} (a member's container, for a member's cookie: see {@link Backend#location}). */
    public Path path(String cookie) throws SiloException {
        return dir.resolve(String.format("%07d", Backend.fileNumber(cookie)));
    }

    @Override
    public void check() throws SiloException {
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw SiloException.of(ErrorCode.IO, "volume directory " + dir + " is missing or not writable");
        }
    }
}
