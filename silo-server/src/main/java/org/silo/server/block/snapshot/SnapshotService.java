package org.silo.server.block.snapshot;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.silo.archive.ArchiveService;
import org.silo.block.image.ImageStore;
import org.silo.block.nbd.MoreExports;
import org.silo.server.block.BlockService;
import org.silo.server.block.DiskOps;
import org.silo.server.block.snapshot.SnapshotCatalog.Row;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.silo.wire.server.CallContext;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.Service;

/**
 * The snapshot operations of the block service (disk_snapshot, disk_snapshots, disk_restore,
 * disk_rm_snapshot: {@link DiskOps}), its {@code IMAGE@N} NBD exports, and its meters. Taking, restoring and
 * removing need admin on the image (as disk_create); taking also needs write on the archive directory the
 * snapshot goes to, since it is filed there under the caller's name.
 */
public final class SnapshotService implements Service {
    private final Snapshots snapshots;
    private final SnapshotExports exports;
    /** Count and bytes of the catalog's snapshots, read again after each change (the meters read these). */
    private volatile long[] totals = {0, 0};

    public SnapshotService(Snapshots snapshots, ImageStore store) {
        this.snapshots = snapshots;
        this.exports = new SnapshotExports(snapshots, store);
        refreshTotals();
    }

    /** What NBD serves beside the images. */
    public MoreExports exports() {
        return exports;
    }

    @Override
    public void register(Dispatcher d) {
        d.registerBlocking(DiskOps.SNAPSHOT, (ctx, r) -> {
            ctx.require(BlockService.SERVICE, r.name(), Right.ADMIN);
            String dir = r.dir() == null || r.dir().isBlank() ? Snapshots.DEFAULT_ROOT + "/" + r.name() : r.dir();
            ctx.require(ArchiveService.SERVICE, dir, Right.WRITE);
            Snapshots.Taken t = snapshots.take(
                    r.name(), r.dir() == null || r.dir().isBlank() ? null : r.dir(), owner(ctx), r.full());
            refreshTotals();
            Row parent = t.row().parent() == null ? null : parentOf(t.row());
            return snapshot(t.row(), parent == null ? 0 : parent.number(), t.whyFull(), t.copiedBlocks());
        });
        d.registerBlocking(DiskOps.SNAPSHOTS, (ctx, r) -> {
            ctx.require(BlockService.SERVICE, r.name(), Right.READ);
            return new DiskOps.SnapshotList(list(snapshots.list(r.name())));
        });
        d.registerBlocking(DiskOps.RESTORE, (ctx, r) -> {
            ctx.require(BlockService.SERVICE, r.name(), Right.READ);
            ctx.require(BlockService.SERVICE, r.target(), Right.ADMIN);
            return BlockService.disk(snapshots.restore(r.name(), r.number(), r.target()));
        });
        d.registerBlocking(DiskOps.RM_SNAPSHOT, (ctx, r) -> {
            ctx.require(BlockService.SERVICE, r.name(), Right.ADMIN);
            snapshots.remove(r.name(), r.number(), owner(ctx));
            refreshTotals();
            return null;
        });
    }

    private static String owner(CallContext ctx) {
        return ctx.session() == null ? "admin" : ctx.session().owner();
    }

    private Row parentOf(Row row) throws SiloException {
        for (Row r : snapshots.list(row.image())) {
            if (r.uid().equals(row.parent())) {
                return r;
            }
        }
        return null;
    }

    /** Every snapshot in the catalog, of images present and removed, by image then number (the console's list). */
    public List<DiskOps.Snapshot> all() throws SiloException {
        return list(snapshots.all());
    }

    /** The rows as the wire shows them, parents by number. */
    static List<DiskOps.Snapshot> list(List<Row> rows) {
        Map<UUID, Long> numbers = new HashMap<>();
        rows.forEach(r -> numbers.put(r.uid(), r.number()));
        List<DiskOps.Snapshot> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(snapshot(r, r.parent() == null ? 0 : numbers.getOrDefault(r.parent(), -1L), null, 0));
        }
        return out;
    }

    private static DiskOps.Snapshot snapshot(Row r, long parent, String whyFull, int copied) {
        return new DiskOps.Snapshot(
                r.image(),
                r.number(),
                parent,
                r.path(),
                r.takenMs(),
                r.tookMs(),
                r.imageSize(),
                r.stored(),
                r.dataBytes(),
                whyFull,
                copied);
    }

    private void refreshTotals() {
        try {
            long count = 0;
            long bytes = 0;
            for (Row r : snapshots.all()) {
                count++;
                bytes += r.stored();
            }
            totals = new long[] {count, bytes};
        } catch (SiloException e) {
            org.slf4j.LoggerFactory.getLogger(SnapshotService.class).warn("counting snapshots: {}", e.getMessage());
        }
    }

    /**
     * silo_block_snapshots (how many the catalog holds), silo_block_snapshot_bytes (their archive files'
     * bytes) and silo_block_snapshot_last_seconds (how long the last one this server took took; NaN before).
     */
    public void bindMetrics(MeterRegistry registry) {
        Gauge.builder("silo.block.snapshots", this, s -> s.totals[0])
                .description("snapshots of block images in the catalog")
                .register(registry);
        Gauge.builder("silo.block.snapshot.bytes", this, s -> s.totals[1])
                .description("bytes the snapshots' archive files hold")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(
                        "silo.block.snapshot.last",
                        this,
                        s -> s.snapshots.lastTookMs() < 0 ? Double.NaN : s.snapshots.lastTookMs() / 1000.0)
                .description("how long the last snapshot this server took took")
                .baseUnit("seconds")
                .register(registry);
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshots", totals[0]);
        m.put("snapshotBytes", totals[1]);
        long last = snapshots.lastTookMs();
        m.put("lastSnapshotSeconds", last < 0 ? null : last / 1000.0);
        return m;
    }

    @Override
    public void close() {
        // nothing held: a snapshot under way ends with the image store, and its freeze with it
    }
}
