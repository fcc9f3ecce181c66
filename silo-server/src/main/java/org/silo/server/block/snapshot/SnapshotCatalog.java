package org.silo.server.block.snapshot;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.wire.SiloException;

/** The catalog's {@code block_snapshot} table (migration V12; docs/block.md, "The snapshot file"). */
final class SnapshotCatalog {
    /** One snapshot. {@code parent} is null for a full one. */
    record Row(
            String image,
            long number,
            UUID uid,
            UUID parent,
            String path,
            long takenMs,
            long tookMs,
            long imageSize,
            long stored,
            long dataBytes) {
        boolean full() {
            return parent == null;
        }

        String ref() {
            return image + "@" + number;
        }
    }

    private static final String COLUMNS =
            "image, number, uid, parent, path, taken_ms, took_ms, image_size, stored, data_bytes";

    private final Catalog catalog;

    SnapshotCatalog(Catalog catalog) {
        this.catalog = catalog;
    }

    private static Row row(ResultSet rs) throws SQLException {
        String parent = rs.getString(4);
        return new Row(
                rs.getString(1),
                rs.getLong(2),
                UUID.fromString(rs.getString(3)),
                parent == null ? null : UUID.fromString(parent),
                rs.getString(5),
                rs.getLong(6),
                rs.getLong(7),
                rs.getLong(8),
                rs.getLong(9),
                rs.getLong(10));
    }

    /** An image's snapshots, oldest first. */
    List<Row> of(String image) throws SiloException {
        return catalog.tx(c -> of(c, image));
    }

    private static List<Row> of(Connection c, String image) throws SQLException {
        return Sql.list(
                c,
                "SELECT " + COLUMNS + " FROM block_snapshot WHERE image = ? ORDER BY number",
                SnapshotCatalog::row,
                image);
    }

    /** Every snapshot, by image then number. */
    List<Row> all() throws SiloException {
        return catalog.tx(c ->
                Sql.list(c, "SELECT " + COLUMNS + " FROM block_snapshot ORDER BY image, number", SnapshotCatalog::row));
    }

    Optional<Row> get(String image, long number) throws SiloException {
        return catalog.tx(c -> Sql.one(
                c,
                "SELECT " + COLUMNS + " FROM block_snapshot WHERE image = ? AND number = ?",
                SnapshotCatalog::row,
                image,
                number));
    }

    /** The newest snapshot of an image, or empty. */
    Optional<Row> newest(String image) throws SiloException {
        return catalog.tx(c -> {
            List<Row> rows = of(c, image);
            return rows.isEmpty() ? Optional.<Row>empty() : Optional.of(rows.getLast());
        });
    }

    /** Records a new snapshot; EXISTS when another took its number meanwhile. */
    void add(Row r) throws SiloException {
        catalog.tx(c -> Sql.update(
                c,
                "INSERT INTO block_snapshot (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.image(),
                r.number(),
                r.uid().toString(),
                r.parent() == null ? null : r.parent().toString(),
                r.path(),
                r.takenMs(),
                r.tookMs(),
                r.imageSize(),
                r.stored(),
                r.dataBytes()));
    }

    /**
     * Thinning, in one transaction: {@code merged} replaces its row (new parent, file, sizes) and
     * {@code removed} goes, so that the chain is whole at every commit.
     */
    void merge(Row removed, Row merged) throws SiloException {
        catalog.tx(c -> {
            Sql.update(
                    c,
                    "UPDATE block_snapshot SET parent = ?, path = ?, stored = ?, data_bytes = ? WHERE image = ? AND number = ?",
                    merged.parent() == null ? null : merged.parent().toString(),
                    merged.path(),
                    merged.stored(),
                    merged.dataBytes(),
                    merged.image(),
                    merged.number());
            Sql.update(
                    c, "DELETE FROM block_snapshot WHERE image = ? AND number = ?", removed.image(), removed.number());
            return null;
        });
    }

    void setPath(Row r, String path) throws SiloException {
        catalog.tx(c -> Sql.update(
                c, "UPDATE block_snapshot SET path = ? WHERE image = ? AND number = ?", path, r.image(), r.number()));
    }

    void remove(Row r) throws SiloException {
        catalog.tx(
                c -> Sql.update(c, "DELETE FROM block_snapshot WHERE image = ? AND number = ?", r.image(), r.number()));
    }
}
