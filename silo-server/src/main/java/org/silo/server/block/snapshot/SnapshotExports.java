package org.silo.server.block.snapshot;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.silo.block.image.BlockDevice;
import org.silo.block.image.ImageException;
import org.silo.block.image.ImageStore;
import org.silo.block.nbd.MoreExports;
import org.silo.block.snapshot.SnapshotDevice;
import org.silo.server.block.snapshot.SnapshotCatalog.Row;
import org.silo.wire.SiloException;

/**
 * Every snapshot as a read-only NBD export {@code IMAGE@N} (docs/block.md, "The chain, and what a read
 * reads"), seen by the clients the image's policy admits (the default policy's, once the image is gone).
 */
final class SnapshotExports implements MoreExports {
    private final Snapshots snapshots;
    private final ImageStore store;

    SnapshotExports(Snapshots snapshots, ImageStore store) {
        this.snapshots = snapshots;
        this.store = store;
    }

    @Override
    public List<Listed> list(InetAddress client) throws IOException {
        List<Listed> out = new ArrayList<>();
        try {
            Map<String, Map<java.util.UUID, Long>> numbers = new HashMap<>();
            List<Row> all = snapshots.all();
            for (Row r : all) {
                numbers.computeIfAbsent(r.image(), i -> new HashMap<>()).put(r.uid(), r.number());
            }
            for (Row r : all) {
                if (admits(r.image(), client)) {
                    out.add(new Listed(
                            r.ref(), describe(r, numbers.get(r.image()).get(r.parent()))));
                }
            }
        } catch (SiloException e) {
            throw new IOException(e.getMessage(), e);
        }
        return out;
    }

    /** "snapshot 2 of disk0, taken 2026-12-01T06:30:00Z, incremental on 1". */
    static String describe(Row r, Long parent) {
        return "snapshot " + r.number() + " of " + r.image() + ", taken " + Instant.ofEpochMilli(r.takenMs())
                + (r.full() ? ", full" : ", incremental on " + (parent == null ? "?" : parent));
    }

    @Override
    public BlockDevice open(String name, String holder, InetAddress client) throws IOException {
        int at = name.lastIndexOf('@');
        if (at <= 0 || at == name.length() - 1) {
            return null;
        }
        String image = name.substring(0, at);
        long number;
        try {
            number = Long.parseLong(name.substring(at + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (!admits(image, client)) {
            return null;
        }
        try {
            Row row = snapshots.find(image, number);
            if (row == null) {
                return null;
            }
            // the chain opens (and stages) at the first read, on an NBD worker thread, not in the handshake
            Runnable release = snapshots.hold(image);
            return new SnapshotDevice(
                    name,
                    row.imageSize(),
                    () -> {
                        try {
                            return snapshots.chainOf(row, () -> {});
                        } catch (SiloException e) {
                            throw new IOException(e.getMessage(), e);
                        }
                    },
                    release);
        } catch (SiloException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private boolean admits(String image, InetAddress client) {
        try {
            return store.exists(image)
                    ? store.policy(image).admits(client)
                    : store.defaultPolicy().admits(client);
        } catch (ImageException e) {
            return false; // removed meanwhile: the next LIST shows it under the default policy
        }
    }
}
