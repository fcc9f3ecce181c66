package org.silo.archive;

import static org.silo.archive.ArchiveRights.need;
import static org.silo.archive.ArchiveRights.owner;
import static org.silo.archive.ArchiveRights.path;
import static org.silo.archive.ArchiveRights.vol;
import static org.silo.archive.ArchiveRights.who;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.CatalogBackup;
import org.silo.archive.catalog.Sql;
import org.silo.archive.file.FileClerk;
import org.silo.archive.lm.LibraryManager;
import org.silo.archive.lm.LibrarySettings;
import org.silo.archive.mover.Mover;
import org.silo.archive.mover.MoverLink;
import org.silo.archive.ns.Namespace;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.FileMessages.NsList;
import org.silo.archive.ops.VolumeClerkOps;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.EditVol;
import org.silo.archive.ops.VolumeMessages.FamilyWidth;
import org.silo.archive.ops.VolumeMessages.Quota;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.ops.VolumeMessages.VolumeList;
import org.silo.archive.volume.Backends;
import org.silo.archive.volume.VolumeClerk;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.silo.wire.server.CallContext;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive as one service of the server: the catalog, the volume clerk, the file clerk and the
 * namespace, with their operations ({@link VolumeClerkOps}, {@link FileClerkOps}).
 *
 * <pre>{@code
 * ArchiveService archive = ArchiveService.open(dataDir, config.get("catalog"), LibrarySettings.DEFAULTS);
 * server.addService("archive", archive);      // registers its operations; its status joins STATUS
 * archive.startLocalMovers(2, "default", 0);
 * ...
 * server.close();                             // closes the archive with the rest
 * }</pre>
 */
public final class ArchiveService implements Service {
    private static final Logger log = LoggerFactory.getLogger(ArchiveService.class);

    /** Capacity of each of the two volumes made for an empty data directory. */
    public static final String DEFAULT_CAPACITY = "10G";

    private final Path dataDir;
    private final Catalog catalog;
    private final Backends backends;
    private final VolumeClerk volumes;
    private final FileClerk files;
    private final Namespace namespace;
    private final LibraryManager library;
    private final CallRecords records;
    private final java.util.List<Mover> localMovers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** How often the STATUS counts are refreshed. */
    public static final int STATUS_PERIOD_S = 5;

    private final ScheduledExecutorService counter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "archive-status");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<String, Object> snapshot = Map.of();

    private ArchiveService(Path dataDir, Catalog catalog, LibrarySettings lm) throws SiloException {
        this.dataDir = dataDir;
        this.catalog = catalog;
        this.backends = new Backends(dataDir);
        this.volumes = new VolumeClerk(catalog, backends);
        this.files = new FileClerk(catalog, volumes);
        this.namespace = new Namespace(catalog);
        this.library = new LibraryManager(catalog, volumes, files, lm);
        this.records = new CallRecords(catalog);
    }

    /**
     * Opens the archive: the catalog named by {@code catalogSetting} (null or empty: SQLite in
     * {@code <dataDir>/catalog.db}; or {@code jdbc:postgresql://...}), migrated to the current schema.
     * A catalog without any library gets library {@code default} with two dir volumes, DEF001 and
     * DEF002, under {@code <dataDir>/volumes/}.
     */
    public static ArchiveService open(Path dataDir, String catalogSetting) throws SiloException {
        return open(dataDir, catalogSetting, LibrarySettings.DEFAULTS);
    }

    /** As {@link #open(Path, String)}, with the library manager's settings (aging, mover timeout). */
    public static ArchiveService open(Path dataDir, String catalogSetting, LibrarySettings lm) throws SiloException {
        Catalog catalog = Catalog.open(dataDir, catalogSetting);
        try {
            ArchiveService a = new ArchiveService(dataDir, catalog, lm);
            a.initialise();
            a.refresh();
            a.counter.scheduleWithFixedDelay(a::refresh, STATUS_PERIOD_S, STATUS_PERIOD_S, TimeUnit.SECONDS);
            a.counter.scheduleWithFixedDelay(a::purgeRecords, 1, 10, TimeUnit.MINUTES);
            return a;
        } catch (SiloException | RuntimeException e) {
            catalog.close();
            throw e;
        }
    }

    private void initialise() throws SiloException {
        long libraries = catalog.tx(c -> Sql.count(c, "SELECT COUNT(*) FROM library"));
        if (libraries == 0) {
            for (String label : new String[] {"DEF001", "DEF002"}) {
                try {
                    volumes.addvol(
                            new AddVol(label, "default", "disk", DEFAULT_CAPACITY, "dir:volumes/" + label, null, null),
                            "system");
                } catch (org.silo.wire.ExistsException e) {
                    return; // another server on the same catalog made the library in the same moment
                }
            }
            log.info(
                    "new catalog {}: library default with volumes DEF001 and DEF002 under {}",
                    catalog.url(),
                    dataDir.resolve("volumes"));
        }
    }

    public Catalog catalog() {
        return catalog;
    }

    public VolumeClerk volumes() {
        return volumes;
    }

    public FileClerk files() {
        return files;
    }

    public Namespace namespace() {
        return namespace;
    }

    public LibraryManager library() {
        return library;
    }

    /** The movers this service runs in process ({@link #startLocalMovers}). */
    public java.util.List<Mover> localMovers() {
        return java.util.List.copyOf(localMovers);
    }

    /**
     * Starts {@code n} movers inside the server for library {@code library} (the server runs two by
     * default), named {@code mover1..n}; each keeps its id in {@code <data>/movers/moverN/mover.id}.
     */
    public java.util.List<Mover> startLocalMovers(int n, String library) throws SiloException {
        return startLocalMovers(n, library, 0);
    }

    /** As {@link #startLocalMovers(int, String)}, each mover moving at most {@code bytesPerSecond} (0: no limit). */
    public java.util.List<Mover> startLocalMovers(int n, String library, long bytesPerSecond) throws SiloException {
        java.util.List<Mover> made = new java.util.ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String name = "mover" + (localMovers.size() + 1);
            Mover m = new Mover(
                    new Mover.Config(
                            dataDir.resolve("movers").resolve(name),
                            name,
                            library == null ? "default" : library,
                            java.util.List.of("disk", "s3"),
                            hostName(),
                            bytesPerSecond),
                    MoverLink.local(this.library),
                    backends);
            localMovers.add(m);
            made.add(m.start());
        }
        return made;
    }

    static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** The service name in grants: {@code archive:PREFIX:RIGHT}. */
    public static final String SERVICE = "archive";

    /**
     * Adds every archive operation to the dispatcher; all of them run off the I/O thread. Each checks the
     * session's grants on service {@code archive}: namespace operations on the path ({@code /exp/...}),
     * volume operations on {@code vol:LABEL}, whole-archive administration (backup, fsck, bit file
     * edits) on the empty object, so only {@code archive::admin} (or {@code *::admin}) allows it.
     *
     * <p>The calls that change the namespace, bit files or volumes ({@code records.register}) are recorded
     * with their outcome in the transaction of their effect ({@link CallRecords}); the others read, are
     * repeatable as they are (set_remaining_bytes, a backup), or carry their own id (write_to_hsm's token).
     */
    @Override
    public void register(Dispatcher d) {
        d.onSessionEnd((session, expired) -> {
            if (!expired && session.clientId() != 0) {
                try {
                    records.forget(session.clientId());
                } catch (SiloException e) {
                    log.warn("cannot drop the call records of {}: {}", session, e.getMessage());
                }
            }
        });
        d.registerBlocking(VolumeClerkOps.NEXT_WRITE_VOLUME, (ctx, q) -> {
            need(ctx, "vol:", Right.WRITE);
            return volumes.nextWriteVolume(q);
        });
        d.registerBlocking(VolumeClerkOps.APPEND_DONE, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.WRITE);
            return volumes.appendDone(q.label(), q.bytes());
        });
        d.registerBlocking(VolumeClerkOps.SET_APPENDING, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.WRITE);
            return volumes.setAppending(q.label(), q.mover());
        });
        d.registerBlocking(VolumeClerkOps.UPDATE_READ_STATS, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.WRITE);
            return volumes.updateReadStats(q.label(), q.bytes());
        });
        d.registerBlocking(VolumeClerkOps.INQUIRE_VOL, (ctx, label) -> {
            need(ctx, vol(label), Right.READ);
            return shown(ctx, volumes.inquire(label));
        });
        d.registerBlocking(VolumeClerkOps.SET_REMAINING_BYTES, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.WRITE);
            return volumes.setRemainingBytes(q.label(), q.bytes());
        });
        d.registerBlocking(VolumeClerkOps.SET_SYSTEM_READONLY, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.WRITE);
            return volumes.setState(q.label(), VolumeState.READONLY, who(ctx, q.by()), q.reason());
        });
        d.registerBlocking(VolumeClerkOps.SET_HUNG, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.WRITE);
            return volumes.setState(q.label(), VolumeState.HUNG, who(ctx, q.by()), q.reason());
        });
        d.registerBlocking(VolumeClerkOps.NOTE_ERROR, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.WRITE);
            return volumes.noteError(q.label(), q.mover(), q.write(), q.reason());
        });
        records.register(d, VolumeClerkOps.ADDVOL, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.ADMIN);
            return volumes.addvol(q, who(ctx, null));
        });
        records.register(d, VolumeClerkOps.DELETE_VOL, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.ADMIN);
            return volumes.deleteVol(q.label(), q.force(), who(ctx, null));
        });
        records.register(d, VolumeClerkOps.EDIT_VOL, (ctx, q) -> {
            need(ctx, vol(q.label()), Right.ADMIN);
            return volumes.edit(
                    q.by() == null
                            ? new EditVol(
                                    q.label(),
                                    q.state(),
                                    q.reason(),
                                    who(ctx, null),
                                    q.storageGroup(),
                                    q.fileFamily(),
                                    q.capacity())
                            : q);
        });
        d.registerBlocking(VolumeClerkOps.LIST_VOLS, (ctx, q) -> {
            need(ctx, "vol:", Right.READ);
            return new VolumeList(
                    volumes.list(q).stream().map(v -> shown(ctx, v)).toList());
        });
        records.register(d, VolumeClerkOps.SET_FAMILY_WIDTH, (ctx, q) -> {
            need(ctx, "vol:", Right.ADMIN);
            return new FamilyWidth(q.fileFamily(), volumes.setFamilyWidth(q.fileFamily(), q.width()));
        });
        records.register(d, VolumeClerkOps.SET_QUOTA, (ctx, q) -> {
            need(ctx, "vol:", Right.ADMIN);
            return new Quota(
                    q.library(), q.storageGroup(), volumes.setQuota(q.library(), q.storageGroup(), q.maxVolumes()));
        });
        d.registerBlocking(VolumeClerkOps.BACKUP, (ctx, q) -> {
            need(ctx, "", Right.ADMIN);
            return CatalogBackup.backup(catalog, backupPath(q.dest()));
        });
        d.registerBlocking(VolumeClerkOps.STATUS, (ctx, q) -> {
            need(ctx, "vol:", Right.READ);
            return volumes.status();
        });

        records.register(d, FileClerkOps.NEW_BIT_FILE, (ctx, q) -> {
            need(ctx, path(q.path()), Right.WRITE);
            return files.newBitFile(q);
        });
        d.registerBlocking(FileClerkOps.BFID_INFO, (ctx, bfid) -> {
            BitFileInfo b = files.info(bfid);
            need(ctx, b.path(), Right.READ);
            return b;
        });
        records.register(d, FileClerkOps.DEL_BFID, (ctx, q) -> {
            need(ctx, "", Right.ADMIN);
            return files.delete(q.bfid());
        });
        records.register(d, FileClerkOps.EDIT_BFID, (ctx, q) -> {
            need(ctx, "", Right.ADMIN);
            return files.edit(q.bfid(), q.owner(), q.state());
        });
        d.registerBlocking(FileClerkOps.MK_BACKUP, (ctx, q) -> {
            need(ctx, "", Right.ADMIN);
            return CatalogBackup.backup(catalog, backupPath(q.dest()));
        });
        d.registerBlocking(FileClerkOps.STATUS, (ctx, q) -> {
            need(ctx, "/", Right.READ);
            return files.status();
        });
        d.registerBlocking(FileClerkOps.FSCK, (ctx, q) -> {
            need(ctx, "", Right.ADMIN);
            return files.fsck();
        });
        d.registerBlocking(FileClerkOps.RECLAIM, (ctx, label) -> {
            need(ctx, "", Right.ADMIN);
            return files.reclaim(label);
        });
        d.registerBlocking(FileClerkOps.WRITE_FILE, (ctx, q) -> {
            need(ctx, path(q.path()), Right.WRITE);
            return files.write(q, "server");
        });
        d.registerBlocking(FileClerkOps.READ_FILE, (ctx, p) -> {
            need(ctx, path(p), Right.READ);
            return files.read(p);
        });
        new LibraryHandlers(library, records).register(d);
        records.register(d, FileClerkOps.MKDIR, (ctx, q) -> {
            need(ctx, path(q.path()), Right.WRITE);
            return namespace.mkdir(q.path(), q.parents(), owner(ctx, q.owner()));
        });
        d.registerBlocking(FileClerkOps.LS, (ctx, q) -> {
            need(ctx, path(q.path()), Right.READ);
            // a page asked for (a limit) is capped; a request of the path alone lists it whole, as it always did
            int limit = q.limit() > 0
                    ? Math.min(q.limit(), FileMessages.MAX_PAGE)
                    : q.after() != null ? FileMessages.MAX_PAGE : 0;
            NsList page = namespace.ls(q.path(), q.after(), limit);
            return new NsList(path(q.path()), page.entries(), page.next());
        });
        d.registerBlocking(FileClerkOps.STAT, (ctx, p) -> {
            need(ctx, path(p), Right.READ);
            return namespace.stat(p);
        });
        records.register(d, FileClerkOps.MV, (ctx, q) -> {
            need(ctx, path(q.from()), Right.WRITE);
            need(ctx, path(q.to()), Right.WRITE);
            return namespace.mv(q.from(), q.to());
        });
        records.register(d, FileClerkOps.RM, (ctx, q) -> {
            need(ctx, path(q.path()), Right.WRITE);
            return namespace.rm(q.path());
        });
    }

    /** The record of mutating calls answered on any server (docs/archive.md, "At most once across servers"). */
    public CallRecords records() {
        return records;
    }

    private void purgeRecords() {
        try {
            int n = records.purge(System.currentTimeMillis());
            if (n > 0) {
                log.info("dropped {} call records older than {}", n, CallRecords.RETENTION);
            }
        } catch (SiloException | RuntimeException e) {
            log.warn("cannot drop old call records: {}", e.getMessage());
        }
    }

    /** A relative backup path is taken under {@code <dataDir>/backups/}. */
    private Path backupPath(String dest) throws SiloException {
        if (dest == null || dest.isBlank() || dest.indexOf('\0') >= 0) {
            throw SiloException.invalid("backup needs a destination file");
        }
        Path p = Path.of(dest);
        return p.isAbsolute() ? p : dataDir.resolve("backups").resolve(p);
    }

    /**
     * For STATUS: the catalog, volume and file counts, as last counted (at most {@link #STATUS_PERIOD_S}
     * seconds ago). Never touches the catalog itself, so it may be called on an I/O thread.
     */
    @Override
    public Map<String, Object> status() {
        return snapshot;
    }

    /** A volume as this caller may see it: with its backend's secret only for those who may write to it. */
    private static VolumeInfo shown(CallContext ctx, VolumeInfo v) {
        try {
            need(ctx, vol(v.label()), Right.WRITE);
            return v;
        } catch (SiloException e) {
            return v.redacted();
        }
    }

    private Map<String, Object> count() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("catalog", catalog.url());
        m.put("engine", catalog.engine().name().toLowerCase());
        try {
            m.putAll(volumes.status());
            m.putAll(files.status());
            m.putAll(library.status());
        } catch (SiloException e) {
            m.put("error", e.getMessage());
        }
        m.put(
                "countedAt",
                java.time.Instant.ofEpochMilli(System.currentTimeMillis()).toString());
        return java.util.Collections.unmodifiableMap(m);
    }

    private void refresh() {
        try {
            snapshot = count();
        } catch (RuntimeException e) {
            log.warn("cannot count the archive for STATUS", e);
        }
    }

    @Override
    public void close() {
        counter.shutdownNow();
        localMovers.forEach(Mover::kill);
        library.close();
        backends.close();
        catalog.close();
    }
}
