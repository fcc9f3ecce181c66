package org.silo.files.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.silo.files.FilesOps;
import org.silo.files.FilesOps.Name;
import org.silo.wire.SiloException;
import org.silo.wire.client.SiloClient;

/**
 * The client's whole-file cache (seed 003's "whole file caching", docs/files.md): a copy of an object
 * kept under {@code $XDG_CACHE_HOME/silo/files} and reused only while this cache holds a read lease on
 * it. Each reuse renews the lease, which is how a recall is heard: a recalled or lapsed lease drops the
 * copy (and a recalled one is released at once, so the writer may go ahead).
 *
 * <pre>
 * files/holder        this cache's lease holder id (a random UUID, made once)
 * files/KEY           the copy; KEY = hex SHA-256 of "server \n name type \n name"
 * files/KEY.lease     the lease's expiry, ms since the epoch (decimal)
 * </pre>
 *
 * Only archive paths and block images are cached: an application's answer and a URL change without a
 * writer that recalls leases. A block image written over NBD or Blockhead does not recall leases either,
 * so a cached image copy is only as good as the promise that it is written through the file service.
 */
public final class WholeFileCache {
    /** How long a lease is asked for; each reuse renews it. */
    public static final int LEASE_SECONDS = 600;

    /** What a lookup found: the copy to use, or none, and whether a writer recalled it just now. */
    public record Found(Path copy, boolean recalled) {}

    private final Path dir;
    private final String server;
    private final String holder;

    public WholeFileCache(Path dir, String server) throws IOException {
        this.dir = dir;
        this.server = server;
        Files.createDirectories(dir);
        Path h = dir.resolve("holder");
        if (!Files.exists(h)) {
            Path tmp = Files.createTempFile(dir, ".holder", "");
            Files.writeString(tmp, UUID.randomUUID().toString());
            try {
                Files.move(tmp, h, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.deleteIfExists(tmp); // another process made it first
            }
        }
        this.holder = Files.readString(h).trim();
    }

    /** {@code $XDG_CACHE_HOME/silo/files}, or {@code ~/.cache/silo/files}; {@code -Dsilo.cache.home} overrides the first part. */
    public static Path defaultDir() {
        String override = System.getProperty("silo.cache.home");
        String xdg = override != null ? override : System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("silo").resolve("files");
    }

    public static boolean cacheable(Name n) {
        return n.type() == FilesOps.FILESYSTEM || n.type() == FilesOps.DEVICE;
    }

    /** The copy of {@code n} if its lease still holds (renewed now); else drops it. */
    public Found lookup(SiloClient c, Name n) throws SiloException, IOException {
        Path copy = dir.resolve(key(n));
        Path lease = dir.resolve(key(n) + ".lease");
        if (!Files.exists(copy) || !Files.exists(lease)) {
            return new Found(null, false);
        }
        long expires;
        try {
            expires = Long.parseLong(Files.readString(lease).trim());
        } catch (NumberFormatException e) {
            expires = 0;
        }
        if (expires <= System.currentTimeMillis()) { // lapsed: a writer may have come and gone
            drop(n);
            return new Found(null, false);
        }
        FilesOps.LeaseState st =
                c.call(FilesOps.LEASE, new FilesOps.Lease(n, FilesOps.LEASE_READ, LEASE_SECONDS, holder));
        if (st.granted() && !st.recalled()) {
            Files.writeString(lease, Long.toString(st.expiresMillis()));
            return new Found(copy, false);
        }
        drop(n);
        if (st.recalled()) {
            c.call(FilesOps.LEASE, new FilesOps.Lease(n, FilesOps.LEASE_RELEASE, 0, holder));
        }
        return new Found(null, st.recalled());
    }

    /**
     * Takes a read lease on {@code n} before its bytes are read; null if refused (a writer holds it).
     * Then {@link #keep} the bytes read.
     */
    public Long lease(SiloClient c, Name n) throws SiloException {
        FilesOps.LeaseState st =
                c.call(FilesOps.LEASE, new FilesOps.Lease(n, FilesOps.LEASE_READ, LEASE_SECONDS, holder));
        return st.granted() ? st.expiresMillis() : null;
    }

    /** A file to read the copy into, in the cache's directory (so that {@link #keep} is a rename). */
    public Path newFile() throws IOException {
        return Files.createTempFile(dir, ".part", "");
    }

    /** Keeps {@code part} as the copy of {@code n}, under the lease taken before it was read. */
    public Path keep(Name n, Path part, long expires) throws IOException {
        Path copy = dir.resolve(key(n));
        try {
            Files.move(part, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(dir.resolve(key(n) + ".lease"), Long.toString(expires));
        return copy;
    }

    public void drop(Name n) throws IOException {
        Files.deleteIfExists(dir.resolve(key(n)));
        Files.deleteIfExists(dir.resolve(key(n) + ".lease"));
    }

    private String key(Name n) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] h = d.digest((server + "\n" + n.type() + "\n" + n.name()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
