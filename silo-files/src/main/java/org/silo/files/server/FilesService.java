package org.silo.files.server;

import java.io.IOException;
import java.nio.ByteBuffer;
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
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.silo.wire.server.CallContext;
import org.silo.wire.server.Dispatcher;

/**
 * The file access service of seed 003 on the message layer (docs/files.md): opens archive paths, block
 * images, URLs and applications, and hands out the four kinds of handle. An open and the operations that
 * follow it may share one message: handle NONE means "the object opened earlier in this message".
 */
public final class FilesService implements AutoCloseable {
    /** Reads a whole archived file by path; the server provides it over the archive. */
    public interface ArchiveFiles {
        byte[] read(String path) throws SiloException;
    }

    static final String LAST_OPENED = "files.lastOpened";
    static final Duration CRYPTO_LIFETIME = Duration.ofDays(1);

    private final ImageStore images;
    private final ArchiveFiles archive;
    private final Supplier<Map<String, Object>> status;
    private final CryptoHandles crypto;
    private final HandleTable handles = new HandleTable(Duration.ofMinutes(10).toMillis(), 4096);
    private final Leases leases = new Leases();

    private final DataPort dataPort;

    /**
     * @param dataAddress the address the out-of-band data port listens on (the server's listen address)
     * @param dataPort    its port; 0 for any free one
     */
    public FilesService(Path dataDir, ImageStore images, ArchiveFiles archive, Supplier<Map<String, Object>> status,
            java.net.InetAddress dataAddress, int dataPort) throws IOException {
        this.images = images;
        this.archive = archive;
        this.status = status;
        this.crypto = CryptoHandles.open(dataDir.resolve("files.key"));
        this.dataPort = new DataPort(dataAddress, dataPort, this::capabilityOrNull);
    }

    private OpenObject capabilityOrNull(byte[] capability) {
        try {
            return handles.capability(capability);
        } catch (SiloException e) {
            return null;
        }
    }

    public void register(Dispatcher d) {
        d.registerBlocking(FilesOps.OPEN, this::open);
        d.registerBlocking(FilesOps.CLOSE, (ctx, h) -> {
            close(ctx, h);
            return null;
        });
        d.registerBlocking(FilesOps.STAT, (ctx, h) -> with(ctx, h, false,
                o -> new FilesOps.Stat(o.size(), o.modifiedMillis(), o.nameType(), o.writable())));
        d.registerBlocking(FilesOps.READ_OP, (ctx, q) -> {
            if (q.length() < 0 || q.offset() < 0) {
                throw SiloException.invalid("offset and length must not be negative");
            }
            return with(ctx, q.handle(), false, o -> o.read(q.offset(), q.length()));
        });
        d.registerBlocking(FilesOps.WRITE_OP, (ctx, q) -> with(ctx, q.handle(), true, o -> o.write(q.offset(), q.data())));
        d.register(FilesOps.LEASE, (ctx, l) -> {
            if (l.seconds() < 0 || l.seconds() > 3600 || l.kind() < 0 || l.kind() > FilesOps.LEASE_WRITE) {
                throw SiloException.invalid("a lease is kind 0 (release), 1 (read) or 2 (write), for 1..3600 seconds");
            }
            if (l.holder() == null || l.holder().isEmpty() || l.holder().length() > 128) {
                throw SiloException.invalid("a lease needs a holder id of 1..128 characters");
            }
            requireFor(ctx, l.name(), l.kind() == FilesOps.LEASE_WRITE);
            return leases.take(leaseKey(l.name()), l.holder(), l.kind(), Math.max(1, l.seconds()), System.currentTimeMillis());
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
        boolean write = (req.flags() & (FilesOps.WRITE | FilesOps.APPEND)) != 0;
        SiloException first = null;
        for (int i = 0; i < req.names().size(); i++) {
            Name n = req.names().get(i);
            try {
                if (write) {
                    long wait = leases.recallReaders(leaseKey(n), System.currentTimeMillis());
                    if (wait > 0) {
                        throw new SiloException(ErrorCode.BUSY, "read leases are being recalled; retry after " + wait + " ms");
                    }
                }
                OpenObject o = openName(ctx, n, write, true);
                boolean oob = (req.flags() & FilesOps.OOB_XFER) != 0;
                if (oob && req.handleType() != FilesOps.CAPABILITY) {
                    o.close();
                    throw SiloException.invalid("an out-of-band transfer needs a capability handle");
                }
                Handle h = handleFor(ctx, req.handleType(), n, write, o);
                ctx.message().put(LAST_OPENED, h);
                return new FilesOps.Opened(h, o.size(), o.writable(), i, oob ? dataAddress() : "");
            } catch (SiloException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw req.names().size() == 1 ? first
                : new SiloException(first.code(), "none of the " + req.names().size() + " names opened; the first said: " + first.getMessage());
    }

    private Handle handleFor(CallContext ctx, int type, Name n, boolean write, OpenObject o) throws SiloException {
        return switch (type) {
            case FilesOps.CAPABILITY -> new Handle(type, handles.addCapability(o));
            case FilesOps.INTEGER -> new Handle(type, ByteBuffer.allocate(4).putInt(handles.addInteger(ctx.session().id(), o)).array());
            case FilesOps.CRYPTO -> {
                o.close(); // stateless: each use opens the object again
                yield new Handle(type, crypto.issue(new CryptoHandles.Claim(n.type(), key(n), write,
                        System.currentTimeMillis() + CRYPTO_LIFETIME.toMillis())));
            }
            default -> {
                o.close();
                throw SiloException.invalid("ask for a capability (1), crypto capability (2) or integer (3) handle, not " + type);
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
    private OpenObject openName(CallContext ctx, Name n, boolean write, boolean checkRights) throws SiloException {
        Rights rights = checkRights ? ctx::require : (service, object, right) -> {};
        switch (n.type()) {
            case FilesOps.DEVICE -> {
                rights.require("block", n.name(), write ? Right.WRITE : Right.READ);
                try {
                    return new DeviceObject(images.open(n.name(), write ? Access.WRITE : Access.READ,
                            "files " + ctx.peer(), ctx.peer().getAddress()));
                } catch (ImageException e) {
                    throw new SiloException(switch (e.reason()) {
                        case NOT_FOUND -> ErrorCode.NOT_FOUND;
                        case READ_ONLY -> ErrorCode.READ_ONLY;
                        case BUSY -> ErrorCode.BUSY;
                        case IO -> ErrorCode.IO;
                        default -> ErrorCode.INVALID;
                    }, e.getMessage());
                }
            }
            case FilesOps.FILESYSTEM -> {
                rights.require("archive", n.name(), Right.READ);
                readOnly(write, "archive paths are read-only through the file service for now");
                return new BytesObject(archive.read(n.name()), FilesOps.FILESYSTEM, System.currentTimeMillis());
            }
            case FilesOps.URL -> {
                rights.require("files", n.name(), Right.READ);
                readOnly(write, "URLs are read-only");
                return UrlObject.open(n.name());
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

    private static void readOnly(boolean write, String why) throws SiloException {
        if (write) {
            throw new SiloException(ErrorCode.READ_ONLY, why);
        }
    }

    private static byte[] json(Map<String, Object> m) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
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
                    throw new SiloException(ErrorCode.READ_ONLY, "this crypto capability grants reading only");
                }
                Name n = c.nameType() == FilesOps.APPLICATION
                        ? Name.app(c.name().substring(0, c.name().indexOf('\0')), c.name().substring(c.name().indexOf('\0') + 1))
                        : new Name(c.nameType(), c.name(), "");
                try (OpenObject o = openName(ctx, n, c.write(), false)) {
                    return use.apply(o);
                }
            }
            default -> throw SiloException.invalid("unknown handle type " + handle.type());
        }
    }

    private void close(CallContext ctx, Handle h) throws SiloException {
        Handle handle = h.type() == FilesOps.NONE ? sameMessage(ctx) : h;
        boolean closed = switch (handle.type()) {
            case FilesOps.CAPABILITY -> handles.closeCapability(handle.bytes());
            case FilesOps.INTEGER -> handles.closeInteger(ctx.session().id(), integer(handle));
            case FilesOps.CRYPTO -> {
                crypto.verify(handle.bytes(), System.currentTimeMillis());
                yield true; // nothing is held for it
            }
            default -> throw SiloException.invalid("unknown handle type " + handle.type());
        };
        if (!closed) {
            throw SiloException.notFound("no open object for this handle");
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
        if (h.bytes().length != 4) {
            throw SiloException.invalid("an integer handle is 4 bytes");
        }
        return ByteBuffer.wrap(h.bytes()).getInt();
    }

    private String dataAddress() throws SiloException {
        try {
            return dataPort.address();
        } catch (IOException e) {
            throw new SiloException(ErrorCode.IO, "the data port is gone: " + e.getMessage());
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

    public Map<String, Object> status() {
        return Map.of("open", handles.size(), "leases", leases.count());
    }

    @Override
    public void close() {
        dataPort.close();
        handles.closeAll();
    }
}
