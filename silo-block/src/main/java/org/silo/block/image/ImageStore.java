package org.silo.block.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Disk images as sparse files in one directory, shared by Blockhead and NBD.
 *
 * <p>An image is the regular file {@code <directory>/<name>}; the only other file is the policy
 * file (below). The read-only flag is the file's owner-write permission bit ({@code r--r-----} is
 * read-only, {@code rw-r-----} writable): it survives restarts, needs no sidecar file and shows in
 * {@code ls -l}. The server checks the bit itself, so it holds even for a server running as root.
 *
 * <p>Locking: at most one {@link Access#WRITE} lease per image; {@link Access#READ} leases are
 * unlimited and may coexist with the writer (they share its channel, so they see its writes).
 * Remove, resize and changing the flag or the policy refuse an image that is open.
 *
 * <p>Access policy ({@link Policy}): each image's policy lives in one file of the directory,
 * {@value #POLICY_FILE}, as Java properties (name = policy), written atomically. Its name contains
 * "..", so it can never be an image (see {@link ImageNames}). Images nobody set a policy for have
 * no line and get the store's default policy (the server derives it from its {@code anonymous}
 * setting; {@code open} when not given). {@link #open(String, Access, String, InetAddress)}
 * enforces it.
 *
 * <pre>{@code
 * ImageStore store = new ImageStore(dataDir.resolve("images"));
 * store.create("disk0", 64 << 20, false);
 * try (ImageLease lease = store.open("disk0", Access.WRITE, "blockhead /10.0.0.5:4000")) {
 *   lease.write(buffer, 0);
 * }
 * }</pre>
 */
public final class ImageStore {
    private static final Set<PosixFilePermission> WRITABLE = PosixFilePermissions.fromString("rw-r-----");
    private static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--r-----");

    /** The policy file; a name no image can have, because it contains "..". */
    public static final String POLICY_FILE = "..policies";

    /** Where the change maps are, one file per image (docs/block.md, "The change map"). */
    public static final String CHANGES_DIR = "..changes";
    /** Where a snapshot being taken keeps the old bytes of the blocks written meanwhile. */
    public static final String FROZEN_DIR = "..frozen";

    private final Path directory;
    private final Map<String, OpenImage> open = new HashMap<>();
    /** Change maps read so far, by image name; a map stays while the image does (a few KiB per GiB). */
    private final Map<String, ChangeMap> changeMaps = new HashMap<>();

    private final Policies policies;
    private final Policy defaultPolicy;

    /** As {@link #ImageStore(Path, Policy)} with the default policy {@code open}. */
    public ImageStore(Path directory) throws IOException {
        this(directory, Policy.OPEN);
    }

    /**
     * Uses (and creates if needed) the directory.
     *
     * @param defaultPolicy the policy of images nobody set one for
     * @throws IOException also when the policy file exists but cannot be read or holds a bad line:
     *     starting with images more open than their owner set would be worse than not starting
     */
    public ImageStore(Path directory, Policy defaultPolicy) throws IOException {
        this.directory = directory.toAbsolutePath().normalize();
        this.defaultPolicy = java.util.Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        Files.createDirectories(this.directory);
        this.policies = Policies.load(this.directory.resolve(POLICY_FILE));
    }

    /** The policy of images nobody set one for. */
    public Policy defaultPolicy() {
        return defaultPolicy;
    }

    public Path directory() {
        return directory;
    }

    /** Creates a sparse image of {@code sizeBytes}, a positive multiple of 512. */
    public synchronized ImageInfo create(String name, long sizeBytes, boolean readOnly) throws ImageException {
        Path file = pathOf(name);
        if (name.indexOf('@') >= 0) {
            // NBD names a snapshot IMAGE@SNAP; an image whose name has an @ would hide its snapshots' names
            throw new ImageException(
                    ImageException.Reason.INVALID_NAME,
                    "image name must not contain '@': it separates an image from its snapshot (IMAGE@SNAP)");
        }
        checkSize(sizeBytes);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(WRITABLE));
        } catch (FileAlreadyExistsException e) {
            throw new ImageException(ImageException.Reason.EXISTS, "image " + name + " already exists");
        } catch (IOException e) {
            throw io("create " + name, e);
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(sizeBytes); // ftruncate: no blocks allocated
            if (readOnly) {
                Files.setPosixFilePermissions(file, READ_ONLY);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the create error below is the one to report
            }
            throw io("create " + name, e);
        }
        dropPolicy(name);
        return info(name);
    }

    /** All images, sorted by name; files whose names break the rules are skipped. */
    public synchronized List<ImageInfo> list() throws ImageException {
        List<ImageInfo> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (ImageNames.isValid(name) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(info(name));
                }
            }
        } catch (IOException e) {
            throw io("list", e);
        }
        out.sort(Comparator.comparing(ImageInfo::name));
        return out;
    }

    public synchronized boolean exists(String name) {
        try {
            return Files.isRegularFile(pathOf(name), LinkOption.NOFOLLOW_LINKS);
        } catch (ImageException e) {
            return false;
        }
    }

    /** True while a WRITE lease holds the image. */
    public synchronized boolean hasWriter(String name) {
        OpenImage image = open.get(name);
        return image != null && image.writer != null;
    }

    public synchronized ImageInfo info(String name) throws ImageException {
        Path file = existing(name);
        try {
            long size = Files.size(file);
            List<String> holders = new ArrayList<>();
            OpenImage image = open.get(name);
            if (image != null) {
                image.leases.forEach(l -> holders.add(l.holder() + (l.writable() ? " (write)" : " (read)")));
            }
            return new ImageInfo(name, size, allocated(file, size), isReadOnly(file), holders, effectivePolicy(name));
        } catch (IOException e) {
            throw io("stat " + name, e);
        }
    }

    public synchronized void remove(String name) throws ImageException {
        Path file = existing(name);
        refuseOpen(name, "remove");
        try {
            Files.delete(file);
            changeMaps.remove(name);
            Files.deleteIfExists(directory.resolve(CHANGES_DIR).resolve(name));
        } catch (IOException e) {
            throw io("remove " + name, e);
        }
        dropPolicy(name);
    }

    /** The access policy of an image: the one set for it, else the {@link #defaultPolicy()}. */
    public synchronized Policy policy(String name) throws ImageException {
        existing(name);
        return effectivePolicy(name);
    }

    /** Whether an admin set the image's policy (else it follows the {@link #defaultPolicy()}). */
    public synchronized boolean hasOwnPolicy(String name) throws ImageException {
        existing(name);
        return policies.get(name) != null;
    }

    /**
     * Sets the access policy of an image that nobody has open (as {@link #setReadOnly}: a session
     * admitted under the old policy must not keep rights the new one denies). Persisted at once,
     * and kept even when it equals the default, so that a later default does not change it.
     */
    public synchronized ImageInfo setPolicy(String name, Policy policy) throws ImageException {
        java.util.Objects.requireNonNull(policy, "policy");
        return storePolicy(name, policy);
    }

    /** Forgets the policy set for an image that nobody has open: it follows the default again. */
    public synchronized ImageInfo clearPolicy(String name) throws ImageException {
        return storePolicy(name, null);
    }

    private ImageInfo storePolicy(String name, Policy policy) throws ImageException {
        existing(name);
        refuseOpen(name, "change the access policy of");
        try {
            policies.put(name, policy);
        } catch (IOException e) {
            throw io("write " + POLICY_FILE, e);
        }
        return info(name);
    }

    /**
     * Whether a network client at {@code client} may see the image: false only for an existing image
     * whose policy does not admit the address. Protocols answer such a client as for a missing image.
     */
    public synchronized boolean admits(String name, InetAddress client) {
        return !exists(name) || effectivePolicy(name).admits(client);
    }

    private Policy effectivePolicy(String name) {
        Policy own = policies.get(name);
        return own != null ? own : defaultPolicy;
    }

    /** Grows (sparse) or shrinks an image that nobody has open. */
    public synchronized ImageInfo resize(String name, long newSize) throws ImageException {
        Path file = existing(name);
        checkSize(newSize);
        refuseOpen(name, "resize");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(newSize);
        } catch (IOException e) {
            throw io("resize " + name, e);
        }
        changeMaps.remove(
                name); // read again for the new size: it says the image was resized, so the next snapshot is full
        return info(name);
    }

    /** Sets or clears the read-only flag of an image that nobody has open. */
    public synchronized ImageInfo setReadOnly(String name, boolean readOnly) throws ImageException {
        Path file = existing(name);
        refuseOpen(name, "change the read-only flag of");
        try {
            Files.setPosixFilePermissions(file, readOnly ? READ_ONLY : WRITABLE);
        } catch (IOException e) {
            throw io("chmod " + name, e);
        }
        return info(name);
    }

    /**
     * Opens an image for a network client that cannot log in (Blockhead, NBD), under its policy: a
     * client the policy does not admit gets NOT_FOUND with the same message as for a missing image
     * (do not reveal that it exists), and WRITE under a policy that allows no writes gets READ_ONLY,
     * as on a read-only image.
     */
    public synchronized ImageLease open(String name, Access access, String holder, InetAddress client)
            throws ImageException {
        return openUnder(policy(name), name, access, holder, client);
    }

    /**
     * As {@link #open(String, Access, String, InetAddress)}, for a protocol whose sessions log in
     * and whose rights the caller has checked (the file service's {@code device:IMAGE}): a policy an
     * admin set applies, the default does not, since it only stands for the anonymous rights that
     * the caller's check already covers.
     */
    public synchronized ImageLease openChecked(String name, Access access, String holder, InetAddress client)
            throws ImageException {
        existing(name);
        Policy own = policies.get(name);
        return openUnder(own != null ? own : Policy.OPEN, name, access, holder, client);
    }

    private ImageLease openUnder(Policy policy, String name, Access access, String holder, InetAddress client)
            throws ImageException {
        if (!policy.admits(client)) {
            throw new ImageException(ImageException.Reason.NOT_FOUND, "no image named " + name);
        }
        if (access == Access.WRITE && !policy.allowsWrite()) {
            throw new ImageException(ImageException.Reason.READ_ONLY, "image " + name + " is read-only by policy");
        }
        return open(name, access, holder);
    }

    /**
     * Calls {@code listener} with an image's name each time a writer opens it, by any protocol (the file
     * service recalls the read leases on it). Returns what removes the listener.
     */
    public Runnable onWriterOpen(java.util.function.Consumer<String> listener) {
        writerListeners.add(listener);
        return () -> writerListeners.remove(listener);
    }

    private final java.util.List<java.util.function.Consumer<String>> writerListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Opens an image, without regard to its policy (local use). WRITE fails with READ_ONLY on a read-only image and with BUSY while another
     * writer holds it; {@code holder} names the session in {@code disk ls}.
     */
    public synchronized ImageLease open(String name, Access access, String holder) throws ImageException {
        Path file = existing(name);
        OpenImage image = open.get(name);
        try {
            boolean readOnly = image != null ? image.readOnly : isReadOnly(file);
            if (access == Access.WRITE && readOnly) {
                throw new ImageException(ImageException.Reason.READ_ONLY, "image " + name + " is read-only");
            }
            if (access == Access.WRITE && image != null && image.writer != null) {
                throw new ImageException(
                        ImageException.Reason.BUSY,
                        "image " + name + " is already open for writing by " + image.writer.holder());
            }
            if (image == null) {
                image = OpenImage.open(name, file, readOnly, changeMap(name, Files.size(file)));
                open.put(name, image);
            }
        } catch (IOException e) {
            throw io("open " + name, e);
        }
        ImageLease lease = new ImageLease(this, image, access, holder);
        image.leases.add(lease);
        if (access == Access.WRITE) {
            image.writer = lease;
            for (java.util.function.Consumer<String> l : writerListeners) {
                l.accept(name);
            }
        }
        return lease;
    }

    synchronized void release(ImageLease lease, OpenImage image) {
        image.leases.remove(lease);
        if (image.writer == lease) {
            image.writer = null;
        }
        if (image.leases.isEmpty() && open.get(image.name) == image) {
            open.remove(image.name);
            try {
                image.changes.save();
                image.closeFiles();
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(ImageStore.class).warn("closing {}: {}", image.name, e.toString());
            }
        }
    }

    /**
     * Holds an image at this point in time for a snapshot, while its clients go on writing (see
     * {@link FrozenImage}); BUSY while another snapshot of it is being taken.
     *
     * @param holder who holds it, as {@code disk ls} shows the sessions of an image
     */
    public FrozenImage freeze(String name, String holder) throws ImageException {
        ImageLease lease = open(name, Access.READ, holder);
        try {
            return lease.image()
                    .beginFreeze(lease, directory.resolve(FROZEN_DIR).resolve(name));
        } catch (IOException e) {
            lease.close();
            throw io("freeze " + name, e);
        } catch (ImageException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /**
     * A snapshot was removed: if the image's changes count from it, they count from its parent from now on,
     * with the blocks the removed one held (null parent: from nothing, so the next snapshot is full).
     */
    public synchronized void snapshotRemoved(
            String name, java.util.UUID removed, java.util.UUID parent, java.util.BitSet held) throws ImageException {
        Path file = existing(name);
        try {
            changeMap(name, Files.size(file)).unbase(removed, parent, held);
        } catch (IOException e) {
            throw io("update the change map of " + name, e);
        }
    }

    /** The uid of the snapshot an image's changes count from, or null when its next snapshot must be full. */
    public synchronized java.util.UUID changesSince(String name) throws ImageException {
        Path file = existing(name);
        try {
            ChangeMap m = changeMap(name, Files.size(file));
            return m.untrusted() == null ? m.base() : null;
        } catch (IOException e) {
            throw io("read the change map of " + name, e);
        }
    }

    /** Saves the change maps of the images open now (the server stops): a restart finds them saved. */
    public synchronized void saveChanges() {
        for (OpenImage image : open.values()) {
            try {
                image.changes.save();
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(ImageStore.class)
                        .warn("saving the change map of {}: {}", image.name, e.toString());
            }
        }
    }

    private ChangeMap changeMap(String name, long size) throws IOException {
        ChangeMap m = changeMaps.get(name);
        if (m == null) {
            m = ChangeMap.load(directory.resolve(CHANGES_DIR).resolve(name), size);
            changeMaps.put(name, m);
        }
        return m;
    }

    private void dropPolicy(String name) throws ImageException {
        try {
            policies.put(name, null);
        } catch (IOException e) {
            throw io("write " + POLICY_FILE, e);
        }
    }

    private Path pathOf(String name) throws ImageException {
        ImageNames.validate(name);
        Path file = directory.resolve(name).normalize();
        // Belt and braces after validate(): the result must be a direct child of the directory.
        if (!file.startsWith(directory) || !directory.equals(file.getParent())) {
            throw new ImageException(
                    ImageException.Reason.INVALID_NAME, "image name resolves outside the image directory");
        }
        return file;
    }

    private Path existing(String name) throws ImageException {
        Path file = pathOf(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException(ImageException.Reason.NOT_FOUND, "no image named " + name);
        }
        return file;
    }

    private void refuseOpen(String name, String what) throws ImageException {
        OpenImage image = open.get(name);
        if (image != null) {
            throw new ImageException(
                    ImageException.Reason.BUSY,
                    "cannot " + what + " image " + name + ": it is open by " + image.leases.size() + " session(s)");
        }
    }

    private static void checkSize(long size) throws ImageException {
        if (size <= 0 || size % 512 != 0) {
            throw new ImageException(
                    ImageException.Reason.INVALID_SIZE,
                    "image size must be a positive multiple of 512 bytes, got " + size);
        }
    }

    private static boolean isReadOnly(Path file) throws IOException {
        return !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                .contains(PosixFilePermission.OWNER_WRITE);
    }

    private static long allocated(Path file, long size) throws IOException {
        try (SparseFile sparse = SparseFile.open(file, false)) {
            return sparse == null ? size : sparse.allocatedBytes(size);
        }
    }

    private static ImageException io(String what, IOException e) {
        return new ImageException(ImageException.Reason.IO, what + ": " + e.getMessage(), e);
    }
}
