package org.silo.files.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.silo.block.image.Access;
import org.silo.block.image.ImageException;
import org.silo.block.image.ImageStore;
import org.silo.files.FilesOps;
import org.silo.files.FilesOps.Handle;
import org.silo.files.FilesOps.Name;
import org.silo.wire.BusyException;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.silo.wire.server.CallContext;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file access service of seed 003 on the message layer (docs/files.md): opens archive paths, block
 * images, URLs and applications, and hands out the four kinds of handle. An open and the operations that
 * follow it may share one message: handle NONE means "the object opened earlier in this message".
 */
public final class FilesService implements Service {
    private static final Logger log = LoggerFactory.getLogger(FilesService.class);
    static final String LAST_OPENED = "files.lastOpened";
    static final Duration CRYPTO_LIFETIME = Duration.ofDays(1);
    /** Where a create without a name puts its file: {@code /created/<24 hex digits>}. */
    static final String CREATED_DIR = "/created";

    private final ImageStore images;
    private final Runnable stopRecalls;
    private final ArchivePaths archive;
    private final Supplier<Map<String, Object>> status;
    private final CryptoHandles crypto;
    private final HandleTable handles = new HandleTable(Duration.ofMinutes(10).toMillis(), 4096);
    private final Leases leases = new Leases();
    private final StageCache cache;
    private final Locations locations;
    private final FilesSettings settings;
    private final java.security.SecureRandom random = new java.security.SecureRandom();

    private final DataPort dataPort;
    private final HttpFetcher http;
    private final java.util.concurrent.atomic.AtomicLong opens = new java.util.concurrent.atomic.AtomicLong();

    public FilesService(
            Path dataDir,
            ImageStore images,
            ArchivePaths archive,
            Supplier<Map<String, Object>> status,
            FilesSettings settings)
            throws IOException {
        this.images = images;
        this.archive = archive;
        this.status = status;
        this.settings = settings;
        this.crypto = CryptoHandles.open(dataDir.resolve("files.key"));
        this.cache = new StageCache(settings.cacheDir(), settings.cacheBytes());
        this.locations = new Locations(settings.lookupMillis());
        deleteTree(settings.cacheDir().resolve(".writes"));
        this.dataPort = new DataPort(settings.dataAddress(), settings.dataPort(), this::capabilityOrNull);
        this.http = new HttpFetcher(settings.urlAllow());
        // a Blockhead or NBD writer recalls the read leases on its image too (it cannot be told to retry:
        // holders hear of the recall at their next renewal, as for any writer)
        this.stopRecalls = images.onWriterOpen(
                image -> leases.recallReaders(FilesOps.DEVICE + ":" + image, System.currentTimeMillis()));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (java.nio.file.Files.isDirectory(dir)) {
            try (var files = java.nio.file.Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    java.nio.file.Files.deleteIfExists(p); // written but never closed before a stop: not archived
                }
            }
        }
    }

    private OpenObject capabilityOrNull(byte[] capability) {
        try {
            return handles.capability(capability);
        } catch (SiloException e) {
            return null;
        }
    }

    @Override
    public void register(Dispatcher d) {
        d.registerBlocking(FilesOps.OPEN, this::open);
        d.registerBlocking(FilesOps.CLOSE, this::close);
        d.registerBlocking(
                FilesOps.STAT,
                (ctx, h) -> with(
                        ctx,
                        h,
                        false,
                        o -> new FilesOps.Stat(o.size(), o.modifiedMillis(), o.nameType(), o.writable())));
        d.registerBlocking(FilesOps.READ_OP, (ctx, q) -> {
            if (q.length() < 0 || q.offset() < 0) {
                throw SiloException.invalid("offset and length must not be negative");
            }
            return with(ctx, q.handle(), false, o -> o.read(q.offset(), q.length()));
        });
        d.registerBlocking(
                FilesOps.WRITE_OP, (ctx, q) -> with(ctx, q.handle(), true, o -> o.write(q.offset(), q.data())));
        d.register(FilesOps.LEASE, (ctx, l) -> {
            if (l.kind() < 0 || l.kind() > FilesOps.LEASE_WRITE) {
                throw SiloException.invalid("a lease is kind 0 (release), 1 (read) or 2 (write)");
            }
            if (l.holder() == null || l.holder().isEmpty() || l.holder().length() > 128) {
                throw SiloException.invalid("a lease needs a holder id of 1..128 characters");
            }
            requireFor(ctx, l.name(), l.kind() == FilesOps.LEASE_WRITE);
            long asked = Integer.toUnsignedLong(l.seconds()); // u32 on the wire
            int seconds = Warnings.leaseSeconds(asked);
            FilesOps.LeaseState st = leases.take(
                    leaseKey(l.name()),
                    l.holder(),
                    l.kind(),
                    seconds,
                    System.currentTimeMillis(),
                    ctx.session() == null ? 0 : ctx.session().id());
            return st.granted() ? st.withWarning(Warnings.lease(asked, seconds)) : st;
        });
        // seed 002's ACTION_NETWORK_END: what a session held is let go when it ends (HandleTable.closeSession,
        // Leases.sessionExpired say what and why)
        d.onSessionEnd((session, expired) -> {
            int handlesClosed = handles.closeSession(session.id());
            int released = expired ? leases.sessionExpired(session.id()) : 0;
            if (handlesClosed + released > 0) {
                log.info(
                        "session {} {}: {} integer handles closed, {} leases released",
                        Long.toHexString(session.id()),
                        expired ? "expired" : "ended",
                        handlesClosed,
                        released);
            }
        });
    }

    private static String leaseKey(Name n) {
        return n.type() + ":" + key(n);
    }

    private static void requireFor(CallContext ctx, Name n, boolean write) throws SiloException {
        Right r = write ? Right.WRITE : Right.READ;
        switch (n.type()) {
            case FilesOps.DEVICE -> ctx.require("block", n.name(), r);
            case FilesOps.FILESYSTEM -> ctx.require("archive", n.name(), r);
            case FilesOps.URL -> ctx.require("files", n.name(), r);
            default -> ctx.require("core", "", r);
        }
    }

    /** Open: the names in turn (seed 003's access method); the first that opens is used. */
    private FilesOps.Opened open(CallContext ctx, FilesOps.Open req) throws SiloException {
        opens.incrementAndGet();
        boolean write = (req.flags() & (FilesOps.WRITE | FilesOps.APPEND)) != 0;
        SiloException first = null;
        for (int i = 0; i < req.names().size(); i++) {
            Name n = req.names().get(i);
            String generated = "";
            if (n.type() == FilesOps.FILESYSTEM
                    && n.name().isEmpty()
                    && (req.flags() & FilesOps.CREATE) != 0
                    && write) {
                byte[] b = new byte[12];
                random.nextBytes(b);
                generated = CREATED_DIR + "/" + java.util.HexFormat.of().formatHex(b);
                n = Name.path(generated);
            }
            try {
                if (write) {
                    long wait = leases.recallReaders(leaseKey(n), System.currentTimeMillis());
                    if (wait > 0) {
                        throw SiloException.of(
                                ErrorCode.BUSY, "read leases are being recalled; retry after " + wait + " ms");
                    }
                }
                OpenObject o = FlaggedObject.of(openName(ctx, n, write, true, req.flags()), req.flags());
                boolean oob = (req.flags() & FilesOps.OOB_XFER) != 0;
                if (oob && req.handleType() != FilesOps.CAPABILITY) {
                    o.close();
                    throw SiloException.invalid("an out-of-band transfer needs a capability handle");
                }
                Handle h = handleFor(ctx, req.handleType(), n, write, o);
                ctx.message().put(LAST_OPENED, h);
                FilesOps.Warning warning = FlaggedObject.unwrap(o) instanceof Warnings.Warned w ? w.warning() : null;
                return new FilesOps.Opened(
                        h, o.size(), o.writable(), i, oob ? dataAddress(ctx) : "", generated, warning);
            } catch (SiloException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw req.names().size() == 1
                ? first
                : SiloException.of(
                        first.code(),
                        "none of the " + req.names().size() + " names opened; the first said: " + first.getMessage());
    }

    private Handle handleFor(CallContext ctx, int type, Name n, boolean write, OpenObject o) throws SiloException {
        if (type == FilesOps.CRYPTO && FlaggedObject.unwrap(o) instanceof ArchiveWriteObject) {
            o.close();
            throw SiloException.invalid(
                    "a file written to an archive path is held until close: ask for a capability or integer handle");
        }
        return switch (type) {
            case FilesOps.CAPABILITY -> new Handle(type, handles.addCapability(o));
            case FilesOps.INTEGER ->
                Handle.integer(handles.addInteger(ctx.session().id(), o));
            case FilesOps.CRYPTO -> {
                o.close(); // stateless: each use opens the object again
                yield new Handle(
                        type,
                        crypto.issue(new CryptoHandles.Claim(
                                n.type(),
                                key(n),
                                write,
                                System.currentTimeMillis() + CRYPTO_LIFETIME.toMillis(),
                                n.offset())));
            }
            default -> {
                o.close();
                throw SiloException.invalid(
                        "ask for a capability (1), crypto capability (2) or integer (3) handle, not " + type);
            }
        };
    }

    private static String key(Name n) {
        return n.type() == FilesOps.APPLICATION ? n.name() + "\0" + n.specific() : n.name();
    }

    /**
     * Opens one name. {@code checkRights}: false only for a crypto capability, which is its own
     * authority: its signature, not the session's rights, says what it opens.
     */
    private OpenObject openName(CallContext ctx, Name n, boolean write, boolean checkRights, int flags)
            throws SiloException {
        Rights rights = checkRights ? ctx::require : (service, object, right) -> {};
        switch (n.type()) {
            case FilesOps.DEVICE -> {
                rights.require("block", n.name(), write ? Right.WRITE : Right.READ);
                try {
                    // the session's rights were checked above: only a policy an admin set applies, not the
                    // default that stands for the anonymous rights of clients that cannot log in
                    return DeviceObject.from(
                            images.openChecked(
                                    n.name(),
                                    write ? Access.WRITE : Access.READ,
                                    "files " + ctx.peer(),
                                    ctx.peer().getAddress()),
                            n.offset());
                } catch (ImageException e) {
                    throw SiloException.of(
                            switch (e.reason()) {
                                case NOT_FOUND -> ErrorCode.NOT_FOUND;
                                case READ_ONLY -> ErrorCode.READ_ONLY;
                                case BUSY -> ErrorCode.BUSY;
                                case IO -> ErrorCode.IO;
                                default -> ErrorCode.INVALID;
                            },
                            e.getMessage());
                }
            }
            case FilesOps.FILESYSTEM -> {
                String path = archive.canonical(n.name());
                rights.require("archive", path, write ? Right.WRITE : Right.READ);
                return write ? openForWriting(ctx, path, flags) : openArchived(path);
            }
            case FilesOps.URL -> {
                rights.require("files", n.name(), write ? Right.WRITE : Right.READ);
                if (n.name().startsWith("nbd://")) {
                    return NbdObject.open(n.name(), write, settings.urlAllow());
                }
                readOnly(write, "http(s) URLs are read-only");
                return UrlObject.open(http, n.name());
            }
            case FilesOps.APPLICATION -> {
                rights.require("core", "", Right.READ);
                readOnly(write, "applications are read-only");
                if (!n.name().equals("status")) {
                    throw SiloException.notFound("no application '" + n.name() + "' (there is: status)");
                }
                return new BytesObject(json(status.get()), FilesOps.APPLICATION, System.currentTimeMillis());
            }
            default -> throw SiloException.invalid("unknown name type " + n.type());
        }
    }

    /**
     * An archived file held open for reading by another part of the server (the block service's snapshots):
     * where its bytes are, from {@code offset} in {@code file}, until {@code release} runs.
     */
    public record ArchivedCopy(Path file, long offset, long size, Runnable release) {}

    /**
     * Finds an archived file's bytes: in place on a directory volume, else staged into this service's disk
     * cache (waiting up to {@code waitMillis} for the staging, then BUSY), pinned until released.
     */
    public ArchivedCopy archivedCopy(String path, long waitMillis) throws SiloException {
        ArchivePaths.Located loc = archive.locate(path);
        if (loc.localFile() != null) {
            return new ArchivedCopy(loc.localFile(), loc.localOffset(), loc.size(), () -> {});
        }
        StageCache.Pinned copy = cache.get(loc, archive, waitMillis);
        return new ArchivedCopy(copy.file(), 0, loc.size(), copy.release());
    }

    /** The archive this service reads and writes FILESYSTEM names in. */
    public ArchivePaths archive() {
        return archive;
    }

    /** An archived file: in place on a directory volume, else its staged copy in the cache. */
    private OpenObject openArchived(String path) throws SiloException {
        ArchivePaths.Located loc = locations.locate(archive, path);
        if (loc.localFile() != null) {
            try {
                return LocalFileObject.open(loc.localFile(), loc.localOffset(), loc.size(), loc.modifiedMs(), () -> {})
                        .warn(Warnings.archived(loc.otherCopy(), null));
            } catch (SiloException gone) { // remembered from before a move of its volume: ask the catalog
                locations.forget(path);
                loc = archive.locate(path);
                if (loc.localFile() != null) {
                    return LocalFileObject.open(
                                    loc.localFile(), loc.localOffset(), loc.size(), loc.modifiedMs(), () -> {})
                            .warn(Warnings.archived(loc.otherCopy(), null));
                }
            }
        }
        StageCache.Pinned copy = cache.get(loc, archive, settings.waitMillis());
        return LocalFileObject.open(copy.file(), loc.size(), loc.modifiedMs(), copy.release())
                .warn(Warnings.archived(loc.otherCopy(), copy.staged()));
    }

    /** A new archive file: written to the cache, archived through a mover on close. Archived files are write-once. */
    private OpenObject openForWriting(CallContext ctx, String path, int flags) throws SiloException {
        boolean create = (flags & FilesOps.CREATE) != 0;
        if (archive.exists(path)) {
            throw create
                    ? SiloException.of(ErrorCode.EXISTS, path + " already exists (archived files are write-once)")
                    : SiloException.of(
                            ErrorCode.READ_ONLY,
                            path + " is archived, and archived files are write-once; write a new path");
        }
        if (!create) {
            throw SiloException.notFound("no file " + path + "; open with CREATE to make it");
        }
        if (path.startsWith(CREATED_DIR + "/")) {
            archive.mkdirs(CREATED_DIR, "root");
        }
        byte[] b = new byte[16];
        random.nextBytes(b);
        String owner = ctx.session() == null ? null : ctx.session().owner(); // as put's (docs/security.md, "Owners")
        return new ArchiveWriteObject(
                settings.cacheDir()
                        .resolve(".writes")
                        .resolve(java.util.HexFormat.of().formatHex(b)),
                path,
                owner,
                archive);
    }

    private static void readOnly(boolean write, String why) throws SiloException {
        if (write) {
            throw SiloException.of(ErrorCode.READ_ONLY, why);
        }
    }

    private static byte[] json(Map<String, Object> m) {
        try {
            // a text that ends its last line, as a shell expects of cat
            return (new com.fasterxml.jackson.databind.ObjectMapper()
                                    .writerWithDefaultPrettyPrinter()
                                    .writeValueAsString(m)
                            + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Rights {
        void require(String service, String object, Right right) throws SiloException;
    }

    private interface Use<T> {
        T apply(OpenObject o) throws SiloException;
    }

    /** Resolves a handle to its object, runs the use, and closes what a crypto handle opened for it. */
    private <T> T with(CallContext ctx, Handle h, boolean write, Use<T> use) throws SiloException {
        Handle handle = h.type() == FilesOps.NONE ? sameMessage(ctx) : h;
        switch (handle.type()) {
            case FilesOps.CAPABILITY -> {
                return use.apply(handles.capability(handle.bytes()));
            }
            case FilesOps.INTEGER -> {
                return use.apply(handles.integer(ctx.session().id(), integer(handle)));
            }
            case FilesOps.CRYPTO -> {
                CryptoHandles.Claim c = crypto.verify(handle.bytes(), System.currentTimeMillis());
                if (write && !c.write()) {
                    throw SiloException.of(ErrorCode.READ_ONLY, "this crypto capability grants reading only");
                }
                Name n = c.nameType() == FilesOps.APPLICATION
                        ? Name.app(
                                c.name().substring(0, c.name().indexOf('\0')),
                                c.name().substring(c.name().indexOf('\0') + 1))
                        : new Name(c.nameType(), c.name(), "", c.offset());
                try (OpenObject o = openName(ctx, n, c.write(), false, 0)) {
                    return use.apply(o);
                }
            }
            default -> throw SiloException.invalid("unknown handle type " + handle.type());
        }
    }

    /** Close: a written archive file is archived first; BUSY (still archiving) keeps the handle, to close again. */
    private FilesOps.Closed close(CallContext ctx, Handle h) throws SiloException {
        Handle handle = h.type() == FilesOps.NONE ? sameMessage(ctx) : h;
        return switch (handle.type()) {
            case FilesOps.CAPABILITY ->
                finish(handles.capability(handle.bytes()), () -> handles.closeCapability(handle.bytes()));
            case FilesOps.INTEGER -> {
                int n = integer(handle);
                yield finish(
                        handles.integer(ctx.session().id(), n),
                        () -> handles.closeInteger(ctx.session().id(), n));
            }
            case FilesOps.CRYPTO -> {
                crypto.verify(handle.bytes(), System.currentTimeMillis());
                yield FilesOps.Closed.NOTHING; // nothing is held for it
            }
            default -> throw SiloException.invalid("unknown handle type " + handle.type());
        };
    }

    private FilesOps.Closed finish(OpenObject o, Runnable drop) throws SiloException {
        try {
            FilesOps.Closed c = o.finish(settings.waitMillis());
            drop.run();
            return c;
        } catch (BusyException e) {
            throw e; // still open: the client may finish it again
        } catch (SiloException e) {
            drop.run();
            throw e;
        }
    }

    private static Handle sameMessage(CallContext ctx) throws SiloException {
        Object h = ctx.message().get(LAST_OPENED);
        if (!(h instanceof Handle handle)) {
            throw SiloException.invalid("handle NONE means the object opened earlier in this message, and nothing was");
        }
        return handle;
    }

    private static int integer(Handle h) throws SiloException {
        return h.integer(); // seed 003's asn1int: a BER INTEGER
    }

    private String dataAddress(CallContext ctx) throws SiloException {
        try {
            return dataPort.address(ctx.peer().getAddress());
        } catch (IOException e) {
            throw SiloException.of(
                    ErrorCode.IO,
                    "no data port address for " + ctx.peer().getAddress().getHostAddress() + ": " + e.getMessage());
        }
    }

    /**
     * The leases held now, for the console: object (as it is named: a path, {@code device:IMAGE}, a URL,
     * {@code app:NAME}), holder, kind (read or write), expiresMs, recalled.
     */
    public java.util.List<Map<String, Object>> leases() {
        java.util.List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (Leases.Lease l : leases.list(System.currentTimeMillis())) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("object", displayName(l.object()));
            m.put("holder", l.holder());
            m.put("kind", l.write() ? "write" : "read");
            m.put("expiresMs", l.expiresMs());
            m.put("recalled", l.recalled());
            out.add(m);
        }
        return out;
    }

    /** A lease key ({@code TYPE:NAME}) as people write the name: {@code silo file} takes it back as it is. */
    private static String displayName(String key) {
        int colon = key.indexOf(':');
        String name = key.substring(colon + 1);
        return switch (Integer.parseInt(key.substring(0, colon))) {
            case FilesOps.DEVICE -> "device:" + name;
            case FilesOps.APPLICATION -> "app:" + name.replace('\0', '/');
            default -> name;
        };
    }

    /** Closes objects idle for 10 minutes; the server calls it periodically. */
    public void expire() {
        handles.expire(System.currentTimeMillis());
    }

    @Override
    public Map<String, Object> status() {
        return Map.of(
                "open",
                handles.size(),
                "leases",
                leases.count(),
                "cacheBytes",
                cache.used(),
                "stagings",
                cache.stagings.get(),
                "opens",
                opens.get());
    }

    @Override
    public void close() {
        stopRecalls.run();
        dataPort.close();
        handles.closeAll();
    }
}
