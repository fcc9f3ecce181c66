package org.silo.server.block.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.silo.archive.ns.Namespace;
import org.silo.block.image.Access;
import org.silo.block.image.Extent;
import org.silo.block.image.FrozenImage;
import org.silo.block.image.ImageInfo;
import org.silo.block.image.ImageLease;
import org.silo.block.image.ImageStore;
import org.silo.block.snapshot.SnapshotChain;
import org.silo.block.snapshot.SnapshotFormat;
import org.silo.block.snapshot.SnapshotWriter;
import org.silo.files.server.ArchivePaths;
import org.silo.server.block.BlockService;
import org.silo.server.block.snapshot.SnapshotCatalog.Row;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of the block service's images in the archive (docs/block.md, "Snapshots"): taking one while
 * clients write, listing, restoring into a new image, opening one's chain for an {@code IMAGE@SNAP} export,
 * and removing one by merging it into its child.
 *
 * <p>One operation that changes an image's snapshots runs at a time per image (BUSY for another); exports
 * and restores hold the image's chain open, and a removal refuses it meanwhile.
 */
public final class Snapshots {
    private static final Logger log = LoggerFactory.getLogger(Snapshots.class);
    /** Where snapshots go when the caller names no directory: {@code /snapshots/IMAGE/N}. */
    static final String DEFAULT_ROOT = "/snapshots";

    /** Where an archived file's bytes can be read (in place, or staged in the disk cache). */
    public interface Reader {
        Opened open(String path) throws SiloException;
    }

    /** An archived file's bytes, at {@code offset} in {@code file}, until {@code release} runs. */
    public record Opened(Path file, long offset, long size, Runnable release) {}

    /** What a snapshot taken says: its row, and why it is full when it is. */
    public record Taken(Row row, String whyFull, int copiedBlocks) {}

    private final ImageStore store;
    private final SnapshotCatalog catalog;
    private final Namespace namespace;
    private final ArchivePaths archive;
    private final Reader reader;
    private final Path work;
    /**
     * Guards the three below. A take and a removal of one image's snapshots exclude each other (a take
     * builds on the newest, which a removal may change); a removal waits for no reader but refuses while one
     * reads (an export may last for days); a reader may open during a take, not during a removal.
     */
    private final Object guard = new Object();

    private final Set<String> taking = new java.util.HashSet<>();
    private final Set<String> removing = new java.util.HashSet<>();
    /** How many chains are open per image (exports, restores). */
    private final Map<String, Integer> readers = new HashMap<>();

    private volatile long lastTookMs = -1;

    public Snapshots(
            ImageStore store,
            org.silo.archive.catalog.Catalog catalog,
            Namespace namespace,
            ArchivePaths archive,
            Reader reader) {
        this.store = store;
        this.catalog = new SnapshotCatalog(catalog);
        this.namespace = namespace;
        this.archive = archive;
        this.reader = reader;
        this.work = store.directory().resolve(ImageStore.FROZEN_DIR);
        removeLeftovers(work);
    }

    /** Snapshot files a stopped server was writing: nothing refers to them. */
    private static void removeLeftovers(Path work) {
        try (var files = Files.newDirectoryStream(work, "..*.snap")) {
            for (Path p : files) {
                log.info("removing {}, left by a snapshot the server stopped during", p.getFileName());
                deleteQuietly(p);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no snapshot was ever taken here
        } catch (IOException e) {
            log.warn("cannot list {}: {}", work, e.toString());
        }
    }

    /**
     * Takes a snapshot of {@code image} into {@code dir} (null: {@code /snapshots/IMAGE}), incremental when
     * the image's change map counts from its newest snapshot, unless {@code full}.
     */
    public Taken take(String image, String dir, String owner, boolean full) throws SiloException {
        synchronized (guard) {
            refuseIf(removing.contains(image) || !taking.add(image), image);
        }
        try (FrozenImage frozen = BlockService.call(() -> store.freeze(image, "snapshot"))) {
            long started = System.nanoTime();
            Row tail = catalog.newest(image).orElse(null);
            String whyFull = full
                    ? "asked for (--full)"
                    : tail == null
                            ? "the first snapshot of " + image
                            : frozen.base() == null
                                    ? frozen.untrusted()
                                    : !frozen.base().equals(tail.uid())
                                            ? "the image's changes count from another snapshot than " + tail.ref()
                                            : tail.imageSize() != frozen.size() ? "the image was resized" : null;
            Row parent = whyFull == null ? tail : null;
            String folder = dir == null ? DEFAULT_ROOT + "/" + image : archive.canonical(dir);
            // one past the newest (the highest). A number whose file is there already (a snapshot archived but
            // never recorded, by a server that stopped in between; or someone's file) is skipped, never replaced
            long number = tail == null ? 1 : tail.number() + 1;
            for (int tries = 0; archive.exists(folder + "/" + number); tries++, number++) {
                if (tries == 1000) {
                    throw SiloException.of(
                            ErrorCode.EXISTS,
                            folder + " holds files " + (number - 1000) + " to " + number
                                    + " already: name another directory");
                }
            }
            String path = folder + "/" + number;
            UUID uid = UUID.randomUUID();
            Path temp = tempFile();
            try {
                SnapshotFormat.Header h = SnapshotWriter.write(
                        frozen,
                        temp,
                        uid,
                        parent == null ? null : parent.uid(),
                        parent == null ? null : frozen.changed());
                archive.mkdirs(folder, owner);
                ArchivePaths.Stored stored = archive.store(temp, path, owner);
                long took = (System.nanoTime() - started) / 1_000_000;
                Row row = new Row(
                        image,
                        number,
                        uid,
                        h.parent(),
                        stored.path(),
                        frozen.takenMillis(),
                        took,
                        frozen.size(),
                        stored.size(),
                        h.dataBytes());
                try {
                    catalog.add(row);
                } catch (SiloException e) { // another server took the number meanwhile: no record names the file
                    removeFile(stored.path());
                    throw e;
                }
                frozen.stored(uid);
                lastTookMs = took;
                log.info(
                        "snapshot {} taken: {}, {} bytes stored in {} ({} ms){}",
                        row.ref(),
                        row.full() ? "full" : "incremental on " + parent.ref(),
                        stored.size(),
                        stored.path(),
                        took,
                        whyFull == null ? "" : ", full because " + whyFull);
                return new Taken(row, whyFull, frozen.copiedBlocks());
            } catch (IOException e) {
                throw SiloException.of(ErrorCode.IO, "writing the snapshot of " + image + ": " + e.getMessage());
            } finally {
                deleteQuietly(temp);
            }
        } finally {
            synchronized (guard) {
                taking.remove(image);
            }
        }
    }

    /** An image's snapshots, oldest first (also those of an image that is gone). */
    public List<Row> list(String image) throws SiloException {
        return catalog.of(image);
    }

    /** Every snapshot, by image and number. */
    public List<Row> all() throws SiloException {
        return catalog.all();
    }

    /** How long the last snapshot this server took took, or -1. */
    public long lastTookMs() {
        return lastTookMs;
    }

    /** Snapshot {@code image@number}, or null. */
    public Row find(String image, long number) throws SiloException {
        return catalog.get(image, number).orElse(null);
    }

    public Row get(String image, long number) throws SiloException {
        return catalog.get(image, number)
                .orElseThrow(() -> SiloException.notFound("no snapshot " + image + "@" + number));
    }

    /** A new image {@code target} holding {@code image@number}: only the pieces with data are written. */
    public ImageInfo restore(String image, long number, String target) throws SiloException {
        Row row = get(image, number);
        try (SnapshotChain chain = open(row)) {
            BlockService.call(() -> store.create(target, row.imageSize(), false));
            boolean done = false;
            try (ImageLease lease =
                    BlockService.call(() -> store.open(target, Access.WRITE, "restore of " + row.ref()))) {
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                for (Extent e : chain.extents(0, chain.size(), Integer.MAX_VALUE)) {
                    if (e.hole()) {
                        continue;
                    }
                    for (long at = e.offset(); at < e.offset() + e.length(); at += buf.limit()) {
                        buf.clear().limit((int) Math.min(buf.capacity(), e.offset() + e.length() - at));
                        chain.read(buf, at);
                        buf.flip();
                        lease.write(buf, at);
                    }
                }
                lease.flush();
                done = true;
            } finally {
                if (!done) {
                    try {
                        store.remove(target);
                    } catch (org.silo.block.image.ImageException e) {
                        log.warn("removing the half-restored image {}: {}", target, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "restoring " + row.ref() + " into " + target + ": " + e.getMessage());
        }
        return BlockService.call(() -> store.info(target));
    }

    /**
     * Opens the chain of a snapshot for reading: its own file and its parents' up to the full one, staged first
     * from volumes that need it. It holds the image's snapshots against removal until closed.
     */
    public SnapshotChain open(Row row) throws SiloException {
        Runnable release = hold(row.image());
        try {
            return chainOf(row, release);
        } catch (SiloException | RuntimeException e) {
            release.run();
            throw e;
        }
    }

    /**
     * Holds an image's snapshots against removal (a reader will open one of them) until the returned
     * {@link Runnable} runs; BUSY while one is being removed.
     */
    public Runnable hold(String image) throws SiloException {
        synchronized (guard) {
            refuseIf(removing.contains(image), image);
            readers.merge(image, 1, Integer::sum);
        }
        return () -> release(image);
    }

    /** The chain of a snapshot whose image a {@link #hold} holds; {@code then} runs when it closes. */
    public SnapshotChain chainOf(Row row, Runnable then) throws SiloException {
        Map<UUID, Row> byUid = new HashMap<>();
        for (Row r : catalog.of(row.image())) {
            byUid.put(r.uid(), r);
        }
        List<Row> rows = new ArrayList<>();
        for (Row r = row; r != null; r = r.parent() == null ? null : byUid.get(r.parent())) {
            rows.addFirst(r);
            if (r.parent() != null && !byUid.containsKey(r.parent())) {
                throw SiloException.of(ErrorCode.IO, "the parent of " + r.ref() + " is missing from the catalog");
            }
        }
        return chain(rows, false, then);
    }

    private void release(String image) {
        synchronized (guard) {
            readers.merge(image, -1, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    /** Opens the files of {@code rows} (oldest first) as a chain; {@code then} runs when it closes. */
    private SnapshotChain chain(List<Row> rows, boolean partial, Runnable then) throws SiloException {
        List<SnapshotChain.Member> members = new ArrayList<>();
        List<Runnable> releases = new ArrayList<>();
        Runnable all = () -> {
            releases.forEach(Runnable::run);
            then.run();
        };
        try {
            for (Row r : rows) {
                Opened o = reader.open(r.path());
                releases.add(o.release());
                FileChannel ch = FileChannel.open(o.file(), StandardOpenOption.READ);
                try {
                    members.add(SnapshotChain.Member.open(ch, o.offset(), o.size()));
                } catch (IOException e) {
                    ch.close();
                    throw new IOException(r.ref() + " (" + r.path() + "): " + e.getMessage(), e);
                }
            }
            return new SnapshotChain(members, partial, all);
        } catch (IOException e) {
            for (SnapshotChain.Member m : members) {
                try {
                    m.channel().close();
                } catch (IOException ignored) {
                    // reported below
                }
            }
            releases.forEach(Runnable::run);
            throw SiloException.of(ErrorCode.IO, "reading the snapshot chain: " + e.getMessage());
        }
    }

    /**
     * Removes a snapshot keeping every other one restorable: merged into its child when it has one, else
     * (the newest) its blocks go back into the image's change map (docs/block.md, "Removing a snapshot").
     */
    public void remove(String image, long number, String owner) throws SiloException {
        synchronized (guard) {
            if (readers.containsKey(image)) {
                throw SiloException.of(
                        ErrorCode.BUSY, "a snapshot of " + image + " is being exported or restored; close it first");
            }
            refuseIf(taking.contains(image) || !removing.add(image), image);
        }
        try {
            Row gone = get(image, number);
            Row child = catalog.of(image).stream()
                    .filter(r -> gone.uid().equals(r.parent()))
                    .findFirst()
                    .orElse(null);
            if (child != null) {
                mergeInto(gone, child, owner);
            } else {
                if (store.exists(image) && gone.uid().equals(BlockService.call(() -> store.changesSince(image)))) {
                    java.util.BitSet held;
                    try (SnapshotChain only = chain(List.of(gone), true, () -> {})) {
                        held = only.blocks();
                    } catch (IOException e) {
                        throw SiloException.of(ErrorCode.IO, "reading " + gone.ref() + ": " + e.getMessage());
                    }
                    BlockService.call(() -> {
                        store.snapshotRemoved(image, gone.uid(), gone.parent(), held);
                        return null;
                    });
                }
                catalog.remove(gone);
                removeFile(gone.path());
            }
            log.info("snapshot {} removed{}", gone.ref(), child == null ? "" : ", merged into " + child.ref());
        } finally {
            synchronized (guard) {
                removing.remove(image);
            }
        }
    }

    private void mergeInto(Row gone, Row child, String owner) throws SiloException {
        String merging = child.path() + ".merging";
        if (archive.exists(merging)) {
            removeFile(merging); // a merge cut short before its catalog commit
        }
        Path temp = tempFile();
        try {
            SnapshotFormat.Header h;
            try (SnapshotChain pair = chain(List.of(gone, child), true, () -> {});
                    SnapshotWriter w =
                            new SnapshotWriter(temp, child.imageSize(), child.takenMs(), child.uid(), gone.parent())) {
                pair.writeTo(w);
                h = w.finish();
            }
            ArchivePaths.Stored stored = archive.store(temp, merging, owner);
            Row merged = new Row(
                    child.image(),
                    child.number(),
                    child.uid(),
                    gone.parent(),
                    stored.path(),
                    child.takenMs(),
                    child.tookMs(),
                    child.imageSize(),
                    stored.size(),
                    h.dataBytes());
            catalog.merge(gone, merged);
            removeFile(gone.path());
            removeFile(child.path());
            namespace.mv(merging, child.path());
            catalog.setPath(merged, child.path());
        } catch (IOException e) {
            throw SiloException.of(
                    ErrorCode.IO, "merging " + gone.ref() + " into " + child.ref() + ": " + e.getMessage());
        } finally {
            deleteQuietly(temp);
        }
    }

    private void removeFile(String path) throws SiloException {
        try {
            namespace.rm(path);
        } catch (org.silo.wire.NotFoundException e) {
            log.warn("snapshot file {} was gone already", path);
        }
    }

    private static void refuseIf(boolean busy, String image) throws SiloException {
        if (busy) {
            throw SiloException.of(
                    ErrorCode.BUSY, "a snapshot of " + image + " is being taken or removed; try again after it");
        }
    }

    private Path tempFile() throws SiloException {
        try {
            Files.createDirectories(work);
            return Files.createTempFile(work, "..", ".snap"); // ".." : never an image's name
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "cannot make a file in " + work + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", p, e.toString());
        }
    }
}
