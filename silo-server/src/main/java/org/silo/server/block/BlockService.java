package org.silo.server.block;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.silo.block.blockhead.BlockheadServer;
import org.silo.block.image.ImageException;
import org.silo.block.image.ImageInfo;
import org.silo.block.image.ImageStore;
import org.silo.block.image.Policy;
import org.silo.block.nbd.NbdServer;
import org.silo.block.nbd.NbdTls;
import org.silo.server.config.SiloConfig;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Right;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The block service in the server: one image store under {@code <data>/images}, served over Blockhead
 * (UDP) and NBD (TCP), and administered with the {@link DiskOps} operations. Both protocols share the
 * store's locks: one writer per image, readers share a read-only one.
 */
public final class BlockService implements Service {
    private static final Logger log = LoggerFactory.getLogger(BlockService.class);
    /** The service name in grants: {@code block:IMAGE-PREFIX:RIGHT}. */
    public static final String SERVICE = "block";
    /** What disk_policy takes to forget an image's policy, so that it follows the default again. */
    public static final String DEFAULT_POLICY = "default";

    private final ImageStore store;
    private final BlockheadServer blockhead;
    private final NbdServer nbd;

    private BlockService(ImageStore store, BlockheadServer blockhead, NbdServer nbd) {
        this.store = store;
        this.blockhead = blockhead;
        this.nbd = nbd;
    }

    /**
     * @param anonymous what anonymous sessions may do: it sets the policy of images an admin set none
     *                  for ({@link #defaultPolicy})
     */
    public static BlockService start(SiloConfig config, Grants anonymous) throws IOException, InterruptedException {
        InetAddress listen = config.listen();
        SslContext tls = tls(config); // before anything starts: a bad certificate stops the server at once
        ImageStore store = new ImageStore(config.data().resolve("images"), defaultPolicy(anonymous));
        BlockheadServer blockhead = BlockheadServer.builder(store)
                .bindAddress(listen)
                .port(config.port("blockhead.port"))
                .defaultImage(config.get("blockhead.default-image"))
                .idleTimeout(config.duration("blockhead.idle"))
                .maxSessions(config.integer("blockhead.max-sessions"))
                .maxSessionsPerAddress(config.integer("blockhead.max-sessions-per-address"))
                .build()
                .start();
        NbdServer nbd;
        try {
            NbdServer.Builder b = NbdServer.builder(store).bindAddress(listen).port(config.port("nbd.port"));
            if (tls != null) {
                b.tls(tls).requireTls(Boolean.parseBoolean(config.get("nbd.require-tls")));
            }
            nbd = b.build().start();
        } catch (InterruptedException | RuntimeException e) {
            blockhead.close();
            throw e;
        }
        log.info(
                "block service: Blockhead on {}:{}/udp, NBD on {}:{}, images in {}, policy {} unless set",
                listen.getHostAddress(),
                blockhead.port(),
                listen.getHostAddress(),
                nbd.port(),
                store.directory(),
                store.defaultPolicy());
        return new BlockService(store, blockhead, nbd);
    }

    /**
     * The policy of an image nobody set one for (docs/security.md). Blockhead and NBD clients cannot log in, so
     * every one of them is anonymous: they may write where anonymous sessions may write images, only read
     * where anonymous sessions may only read, and not connect where anonymous sessions may do nothing.
     * An admin opens an image beyond that with {@code silo disk policy NAME open}.
     */
    static Policy defaultPolicy(Grants anonymous) {
        if (anonymous.allows(SERVICE, "", Right.WRITE)) {
            return Policy.OPEN;
        }
        return anonymous.allows(SERVICE, "", Right.READ) ? Policy.READ_ONLY : Policy.CLOSED;
    }

    /** NBD's STARTTLS context from nbd.tls-cert and nbd.tls-key (relative to the data directory), or null. */
    private static SslContext tls(SiloConfig config) throws IOException {
        String cert = config.get("nbd.tls-cert");
        String key = config.get("nbd.tls-key");
        boolean required = Boolean.parseBoolean(config.get("nbd.require-tls"));
        if (cert.isEmpty() && key.isEmpty()) {
            if (required) {
                throw new IllegalArgumentException("nbd.require-tls = true needs nbd.tls-cert and nbd.tls-key");
            }
            return null;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException(
                    "NBD TLS needs both nbd.tls-cert and nbd.tls-key (PEM; the key unencrypted PKCS#8)");
        }
        return NbdTls.serverContext(config.data().resolve(cert), config.data().resolve(key));
    }

    public int blockheadPort() {
        return blockhead.port();
    }

    public int nbdPort() {
        return nbd.port();
    }

    public ImageStore store() {
        return store;
    }

    /** Serves {@code exports} over NBD beside the images (the snapshots, {@code IMAGE@N}). */
    public void serveBeside(org.silo.block.nbd.MoreExports exports) {
        nbd.moreExports(exports);
    }

    /**
     * The disk administration operations; all touch the file system, so they run off the I/O thread.
     * Creating, resizing and removing an image needs admin on it; listing needs read on the service.
     */
    @Override
    public void register(Dispatcher d) {
        d.registerBlocking(DiskOps.CREATE, (ctx, r) -> {
            ctx.require(SERVICE, r.name(), Right.ADMIN);
            return disk(call(() -> store.create(r.name(), r.sizeBytes(), r.readOnly())));
        });
        d.registerBlocking(DiskOps.LIST, SERVICE, Right.READ, (ctx, none) -> {
            List<DiskOps.Disk> disks = new ArrayList<>();
            for (ImageInfo i : call(store::list)) {
                disks.add(disk(i));
            }
            return new DiskOps.DiskList(disks);
        });
        d.registerBlocking(DiskOps.REMOVE, (ctx, r) -> {
            ctx.require(SERVICE, r.name(), Right.ADMIN);
            call(() -> {
                store.remove(r.name());
                return null;
            });
            return null;
        });
        d.registerBlocking(DiskOps.RESIZE, (ctx, r) -> {
            ctx.require(SERVICE, r.name(), Right.ADMIN);
            return disk(call(() -> store.resize(r.name(), r.sizeBytes())));
        });
        d.registerBlocking(DiskOps.POLICY, (ctx, r) -> {
            ctx.require(SERVICE, r.name(), Right.ADMIN);
            if (r.policy() != null && r.policy().strip().equals(DEFAULT_POLICY)) {
                return disk(call(() -> store.clearPolicy(r.name())));
            }
            Policy p;
            try {
                p = Policy.parse(r.policy());
            } catch (IllegalArgumentException e) {
                throw SiloException.invalid(e.getMessage() + ", or default");
            }
            return disk(call(() -> store.setPolicy(r.name(), p)));
        });
        d.registerBlocking(DiskOps.INFO, (ctx, r) -> {
            ctx.require(SERVICE, r.name(), Right.READ);
            return disk(call(() -> store.info(r.name())));
        });
    }

    /** A call of the image store. */
    public interface ImageCall<T> {
        T run() throws ImageException;
    }

    /** Runs an image store call; its refusal becomes the wire error that says the same. */
    public static <T> T call(ImageCall<T> c) throws SiloException {
        try {
            return c.run();
        } catch (ImageException e) {
            ErrorCode code = switch (e.reason()) {
                case INVALID_NAME, INVALID_SIZE -> ErrorCode.INVALID;
                case NOT_FOUND -> ErrorCode.NOT_FOUND;
                case EXISTS -> ErrorCode.EXISTS;
                case READ_ONLY -> ErrorCode.READ_ONLY;
                case BUSY -> ErrorCode.BUSY;
                case IO -> ErrorCode.IO;
            };
            throw SiloException.of(code, e.getMessage());
        }
    }

    public static DiskOps.Disk disk(ImageInfo i) {
        return new DiskOps.Disk(
                i.name(),
                i.sizeBytes(),
                i.allocatedBytes(),
                i.readOnly(),
                i.holders(),
                i.policy().toString());
    }

    /** The Blockhead and NBD counters as silo_blockhead_* and silo_nbd_* meters. */
    public void bindMetrics(MeterRegistry registry) {
        for (String key : blockhead.counters().snapshot().keySet()) {
            FunctionCounter.builder(
                            "silo.blockhead." + key,
                            blockhead,
                            b -> b.counters().snapshot().getOrDefault(key, 0L))
                    .register(registry);
        }
        for (String key : nbd.counters().snapshot().keySet()) {
            FunctionCounter.builder(
                            "silo.nbd." + key, nbd, n -> n.counters().snapshot().getOrDefault(key, 0L))
                    .register(registry);
        }
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("blockheadPort", blockhead.port());
        m.put("nbdPort", nbd.port());
        try {
            m.put("images", store.list().size());
        } catch (ImageException e) {
            m.put("images", "unreadable: " + e.getMessage());
        }
        m.put("blockhead", blockhead.counters().snapshot());
        m.put("nbd", nbd.counters().snapshot());
        return m;
    }

    @Override
    public void close() {
        nbd.close();
        blockhead.close();
        store.saveChanges(); // a restart then finds every change map saved, and snapshots stay incremental
    }
}
