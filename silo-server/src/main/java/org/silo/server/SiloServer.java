package org.silo.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.silo.archive.ArchiveService;
import org.silo.archive.cluster.ServerRoster;
import org.silo.archive.lm.LibrarySettings;
import org.silo.control.ControlData;
import org.silo.control.text.TextServer;
import org.silo.control.text.WorkerRegistry;
import org.silo.control.web.ConsoleServer;
import org.silo.files.server.ArchiveGateway;
import org.silo.files.server.FilesService;
import org.silo.files.server.FilesSettings;
import org.silo.server.access.AccessService;
import org.silo.server.access.AccessStore;
import org.silo.server.access.ServerAccess;
import org.silo.server.archive.ArchiveMetrics;
import org.silo.server.block.BlockService;
import org.silo.server.block.snapshot.SnapshotService;
import org.silo.server.block.snapshot.Snapshots;
import org.silo.server.config.SiloConfig;
import org.silo.server.control.ServerControlData;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.silo.wire.op.CoreOps;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.Service;
import org.silo.wire.server.WireServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silo server program: one process, one data directory, the message endpoint on its port and every
 * service plugged into its dispatcher. docs/architecture.md draws how a request flows through it.
 *
 * <pre>{@code
 * try (SiloServer server = SiloServer.start(SiloConfig.defaults(Map.of("data", dir.toString(), "wire.port", "0")))) {
 *     int port = server.wirePort();
 * }
 * }</pre>
 */
public final class SiloServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SiloServer.class);
    /** How long a snapshot export or restore waits for a snapshot file to be staged from its volume. */
    private static final long SNAPSHOT_STAGE_WAIT_MS = java.util.concurrent.TimeUnit.HOURS.toMillis(1);

    private final SiloConfig config;
    private final PrometheusMeterRegistry registry;
    private final Dispatcher dispatcher = new Dispatcher();
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final long startedMillis = System.currentTimeMillis();
    private final Map<String, Service> services = new LinkedHashMap<>();
    private WireServer wire;
    private int controlPort;
    private java.util.function.LongSupplier bytesMoved = () -> 0;
    private volatile int consolePort;
    private volatile org.silo.archive.catalog.Catalog catalog;
    private volatile ServerRoster roster;

    private SiloServer(SiloConfig config, PrometheusMeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    public static SiloServer start(SiloConfig config) throws IOException, InterruptedException {
        SiloServer s = new SiloServer(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try {
            s.open();
            return s;
        } catch (SiloException e) {
            s.close();
            throw new IOException(e.getMessage(), e);
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void open() throws IOException, InterruptedException, SiloException {
        config.warnings().forEach(log::warn); // old key names read as new ones (docs/configuration.md, "Renamed keys")
        Path data = config.data();
        // Refused at once and with nothing created: another server on this data directory (named before its
        // ports, which it holds too), then a port in use; the lock is released last, after every part closed.
        DataLock lock = Files.isDirectory(data) ? DataLock.acquire(data) : null;
        if (lock != null) {
            parts.add(lock);
        }
        PortCheck.check(config);
        Files.createDirectories(data);
        if (lock == null) {
            parts.add(DataLock.acquire(data));
        }
        dispatcher.register(CoreOps.PING, (ctx, payload) -> payload);
        dispatcher.register(CoreOps.STATUS, "core", Right.READ, (ctx, none) -> status());
        ServerAccess access = new ServerAccess(
                AccessStore.open(data),
                ServerAccess.parse(config.get("anonymous")),
                config.listen(),
                config.duration("login.first-wait").toMillis());
        addService("access", new AccessService(access));
        LibrarySettings lm = LibrarySettings.DEFAULTS
                .withMoverTimeout(config.duration("archive.mover-timeout").toMillis())
                .withHungAfter(config.duration("archive.hung-after").toMillis())
                .withAgeTime(config.duration("archive.age-time").toMillis())
                .withAggregation(new org.silo.archive.ops.LibraryMessages.Aggregation(
                        config.size("archive.aggregate-below"),
                        config.size("archive.aggregate-size"),
                        config.duration("archive.aggregate-idle").toMillis()));
        ArchiveService archive = ArchiveService.open(data, config.get("catalog"), lm);
        catalog = archive.catalog();
        log.info("catalog {} at schema version {}", catalog.url(), catalog.schemaVersion());
        addService("archive", archive);
        archive.startLocalMovers(config.integer("archive.movers"), "default", config.size("archive.mover-rate"));
        ArchiveMetrics.bind(archive.library(), registry);
        bytesMoved = () -> ArchiveMetrics.bytesMoved(archive.library());
        BlockService block = BlockService.start(config, access.anonymousGrants());
        addService("block", block);
        block.bindMetrics(registry);
        FilesService files = new FilesService(
                data,
                block.store(),
                new ArchiveGateway(archive, callbackHost(config.listen())),
                this::status,
                new FilesSettings(
                        data.resolve("files-cache"),
                        config.size("files.cache-size"),
                        config.duration("files.stage-wait").toMillis(),
                        config.listen(),
                        config.port("files.data-port"),
                        config.duration("files.lookup-cache").toMillis(),
                        config.urlAllow()));
        SnapshotService snapshots = new SnapshotService(
                new Snapshots(block.store(), archive.catalog(), archive.namespace(), files.archive(), path -> {
                    FilesService.ArchivedCopy c = files.archivedCopy(path, SNAPSHOT_STAGE_WAIT_MS);
                    return new Snapshots.Opened(c.file(), c.offset(), c.size(), c.release());
                }),
                block.store());
        addService("snapshots", snapshots);
        snapshots.bindMetrics(registry);
        block.serveBeside(snapshots.exports());
        WorkerRegistry workers = new WorkerRegistry(data.resolve("workers.json"));
        String xferHost = callbackHost(config.listen());
        ControlData control = new ServerControlData(
                this::status,
                archive,
                block.store(),
                access,
                registry,
                files::leases,
                workers,
                () -> "http://"
                        + (xferHost == null ? "127.0.0.1" : xferHost.contains(":") ? "[" + xferHost + "]" : xferHost)
                        + ":" + consolePort,
                snapshots::all);
        TextServer text = TextServer.start(
                config.listen(),
                config.port("control.port"),
                control,
                workers,
                Version.VERSION,
                java.time.Duration.ofSeconds(1));
        parts.add(text);
        controlPort = text.port();
        ConsoleServer console = ConsoleServer.builder(control)
                .bindAddress(config.listen())
                .port(config.port("console.port"))
                .build()
                .start();
        parts.add(console);
        consolePort = console.port();
        addService("files", files);
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "silo-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleAtFixedRate(files::expire, 1, 1, TimeUnit.MINUTES);
        parts.add(housekeeping::shutdownNow);
        wire = WireServer.start(config.listen(), config.port("wire.port"), config.wire(), dispatcher, registry, access);
        parts.add(wire);
        roster = ServerRoster.join(
                catalog, rosterAddress(config.listen(), wire.port()), config.get("name"), Version.VERSION, now());
        parts.add(roster); // closed first: the others see "stopped" rather than "silent"
        archive.library().servedAt(roster.address());
        long beat = ServerRoster.BEAT.toMillis();
        housekeeping.scheduleAtFixedRate(() -> roster.beat(now()), beat, beat, TimeUnit.MILLISECONDS);
        log.info(
                "silo {} serving {} on {} (data in {})",
                Version.VERSION,
                config.get("name"),
                wire.address(),
                data.toAbsolutePath().normalize());
    }

    /**
     * Adds a service: it registers its operations with the dispatcher, its status appears in STATUS, and
     * it is closed with the server.
     */
    public void addService(String name, Service service) {
        services.put(name, service);
        parts.add(service);
        service.register(dispatcher);
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public SiloConfig config() {
        return config;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** A service by the name it was added under, e.g. "block". */
    public <T extends Service> T service(String name, Class<T> type) {
        return type.cast(services.get(name));
    }

    /** The web console's port. */
    public int consolePort() {
        return consolePort;
    }

    /** The text control protocol's port (seed 004). */
    public int controlPort() {
        return controlPort;
    }

    public int wirePort() {
        return wire.port();
    }

    /** This server's address in the catalog's server roster (STATUS's cluster). */
    public String rosterAddress() {
        return roster.address();
    }

    public WireServer wire() {
        return wire;
    }

    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", config.get("name"));
        m.put("version", Version.VERSION);
        org.silo.archive.catalog.Catalog c = catalog;
        if (c != null) {
            // the version the catalog is at, from Flyway's history table, and when it got there (docs/operations.md,
            // "Upgrades")
            m.put("schemaVersion", c.schemaVersion());
            if (c.schemaMigratedAt() != null) {
                m.put("schemaMigratedAt", c.schemaMigratedAt().toString());
            }
        }
        m.put(
                "uptimeSeconds",
                Duration.ofMillis(System.currentTimeMillis() - startedMillis).toSeconds());
        m.put("data", config.data().toAbsolutePath().normalize().toString());
        m.put("wire", wire.address().getHostString() + ":" + wire.port());
        m.put("bytesMoved", bytesMoved.getAsLong());
        m.put("message", wire.endpoint().status());
        ServerRoster r = roster;
        if (r != null) {
            try {
                m.put("cluster", r.status(now()));
            } catch (org.silo.wire.SiloException e) {
                m.put("cluster", Map.of("error", e.getMessage()));
            }
        }
        for (Map.Entry<String, Service> e : services.entrySet()) {
            m.put(e.getKey(), e.getValue().status());
        }
        return m;
    }

    @Override
    public void close() {
        shutdown();
    }

    /** Closes every part, the last started first; how many failed to close (each is logged). */
    public int shutdown() {
        int failed = 0;
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                failed++;
                log.warn("closing {} failed: {}", parts.get(i), e.toString());
            }
        }
        parts.clear();
        return failed;
    }

    /** This server's address in the catalog's roster: where a client on another host would reach it. */
    static String rosterAddress(java.net.InetAddress listen, int port) {
        String host = callbackHost(listen);
        if (host == null) {
            host = listen.getHostAddress();
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    /**
     * Where movers connect for the server's own transfers (the file service's archive paths): loopback
     * (null) when it listens there, its listen address, or, when it listens on every address, its host
     * name, which remote movers can resolve where "0.0.0.0" would reach only their own host.
     */
    static String callbackHost(java.net.InetAddress listen) {
        if (listen.isLoopbackAddress()) {
            return null;
        }
        if (!listen.isAnyLocalAddress()) {
            return listen.getHostAddress();
        }
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
