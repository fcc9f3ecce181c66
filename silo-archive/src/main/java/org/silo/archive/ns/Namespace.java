package org.silo.archive.ns;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.NsList;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The namespace: directories and the paths of files, each file entry naming its bit file. Entry 1 is
 * the root. Removing a file removes its entry and marks its bit file deleted; the record stays.
 */
public final class Namespace {
    /** A row of ns_entry. */
    public record Node(
            long id,
            Long parentId,
            String name,
            String kind,
            String bfid,
            String owner,
            long createdMs,
            long modifiedMs) {
        boolean dir() {
            return kind.equals("d");
        }
    }

    private final Catalog catalog;

    public Namespace(Catalog catalog) {
        this.catalog = catalog;
    }

    public NsEntry mkdir(String path, boolean parents, String owner) throws SiloException {
        NsPath p = NsPath.parse(path);
        String who = owner == null || owner.isBlank() ? "root" : owner;
        for (int attempt = 0; ; attempt++) {
            try {
                return mkdirOnce(p, parents, who);
            } catch (Catalog.ConstraintViolation e) {
                // another transaction made one of the directories first (PostgreSQL, read committed):
                // look again, and it is there
                if (attempt >= 4) {
                    throw e;
                }
            }
        }
    }

    private NsEntry mkdirOnce(NsPath p, boolean parents, String who) throws SiloException {
        return catalog.tx(c -> {
            if (p.isRoot()) {
                throw SiloException.of(ErrorCode.EXISTS, "/ already exists");
            }
            Node parent = root(c);
            long now = System.currentTimeMillis();
            for (int i = 0; i < p.names().size(); i++) {
                String n = p.names().get(i);
                boolean last = i == p.names().size() - 1;
                Optional<Node> child = child(c, parent.id(), n);
                if (child.isPresent()) {
                    if (!child.get().dir()) {
                        throw SiloException.of(
                                ErrorCode.EXISTS,
                                new NsPath(p.names().subList(0, i + 1)) + " is a file, not a directory");
                    }
                    if (last && !parents) {
                        throw SiloException.of(ErrorCode.EXISTS, p + " already exists");
                    }
                    parent = child.get();
                } else {
                    if (!last && !parents) {
                        throw SiloException.notFound("no directory "
                                + new NsPath(p.names().subList(0, i + 1)) + " (use --parents to create it)");
                    }
                    parent = insert(c, parent.id(), n, "d", null, who, now);
                }
            }
            return entry(c, p, parent);
        });
    }

    /** Adds a file entry for {@code bfid}; the parent directory must exist and the name be free. */
    public static Node createFile(Connection c, NsPath p, String bfid, String owner, long now)
            throws SQLException, SiloException {
        if (p.isRoot()) {
            throw SiloException.invalid("/ is a directory");
        }
        Node dir = resolve(c, p.parent()).orElseThrow(() -> SiloException.notFound("no directory " + p.parent()));
        if (!dir.dir()) {
            throw SiloException.invalid(p.parent() + " is a file, not a directory");
        }
        if (child(c, dir.id(), p.name()).isPresent()) {
            throw SiloException.of(ErrorCode.EXISTS, p + " already exists");
        }
        return insert(c, dir.id(), p.name(), "f", bfid, owner, now);
    }

    /**
     * Directories resolved at most once in a transaction: a batch of files under a few directories
     * (put -r) looks each directory up once, not once per file from the root.
     */
    public static final class Dirs {
        private final Connection c;
        private final java.util.Map<NsPath, Optional<Node>> seen = new java.util.HashMap<>();

        public Dirs(Connection c) {
            this.c = c;
        }

        /** The node at {@code p} if it exists (directory or file). */
        public Optional<Node> get(NsPath p) throws SQLException {
            Optional<Node> known = seen.get(p);
            if (known != null) {
                return known;
            }
            Optional<Node> found;
            if (p.isRoot()) {
                found = Optional.of(root(c));
            } else {
                Optional<Node> parent = get(p.parent());
                found = parent.isEmpty() || !parent.get().dir()
                        ? Optional.empty()
                        : child(c, parent.get().id(), p.name());
            }
            seen.put(p, found);
            return found;
        }

        /** Which of {@code names} are taken in directory {@code dir}: one query per batch ({@link Sql#listIn}). */
        public java.util.Set<String> taken(Node dir, java.util.Collection<String> names) throws SQLException {
            return new java.util.HashSet<>(Sql.listIn(
                    c,
                    "SELECT name FROM ns_entry WHERE parent_id = ? AND",
                    "name",
                    List.of(dir.id()),
                    names,
                    rs -> rs.getString(1)));
        }
    }

    /** File entries added many at a time (a group commit): {@code add(parentId, name, bfid, owner, now, now)}, then {@code run()}. */
    public static Sql.Batch fileInserts(Connection c) throws SQLException {
        return Sql.batch(
                c,
                "INSERT INTO ns_entry (parent_id, name, kind, bfid, owner, created_ms, modified_ms) VALUES (?,?,'f',?,?,?,?)");
    }

    /** Every entry of a directory (a file: itself), by name. */
    public List<NsEntry> ls(String path) throws SiloException {
        return ls(path, null, 0).entries();
    }

    /**
     * A page of a directory: the entries whose names come after {@code after} (null: from the first), by
     * name in the catalog's order, at most {@code limit} of them (0 or less: all), each with its bit file's
     * size, Adler-32 and volume from the same SELECT (a join, not a query per entry). The reply's
     * {@code next} is the last name of the page when more follow: the cursor for the next page. A cursor
     * is a name, not a position, so entries added or removed between pages neither repeat nor hide others.
     * A path that is a file lists that file alone.
     */
    public NsList ls(String path, String after, int limit) throws SiloException {
        NsPath p = NsPath.parse(path);
        return catalog.tx(c -> {
            Node n = resolve(c, p).orElseThrow(() -> SiloException.notFound("no such file or directory " + p));
            if (!n.dir()) {
                return new NsList(p.toString(), List.of(entry(c, p, n)));
            }
            String base = p.isRoot() ? "/" : p + "/";
            StringBuilder sql = new StringBuilder(
                    "SELECT e.name, e.kind, e.bfid, e.owner, e.created_ms, e.modified_ms, b.size, b.adler32,"
                            + " b.volume FROM ns_entry e LEFT JOIN bit_file b ON b.bfid = e.bfid WHERE e.parent_id = ?");
            List<Object> args = new ArrayList<>(List.of(n.id()));
            if (after != null) {
                sql.append(" AND e.name > ?");
                args.add(after);
            }
            sql.append(" ORDER BY e.name");
            if (limit > 0) {
                sql.append(" LIMIT ?");
                args.add(limit + 1); // one more than asked: says whether another page follows
            }
            List<NsEntry> out = Sql.list(
                    c,
                    sql.toString(),
                    rs -> {
                        String name = rs.getString(1);
                        boolean dir = rs.getString(2).equals("d");
                        String bfid = rs.getString(3);
                        return new NsEntry(
                                base + name,
                                name,
                                dir ? "dir" : "file",
                                rs.getString(4),
                                rs.getLong(5),
                                rs.getLong(6),
                                bfid,
                                bfid == null ? 0 : rs.getLong(7),
                                rs.getString(8),
                                rs.getString(9));
                    },
                    args.toArray());
            String next = null;
            if (limit > 0 && out.size() > limit) {
                out = out.subList(0, limit);
                next = out.get(limit - 1).name();
            }
            return new NsList(p.toString(), List.copyOf(out), next);
        });
    }

    public NsEntry stat(String path) throws SiloException {
        NsPath p = NsPath.parse(path);
        return catalog.tx(c ->
                entry(c, p, resolve(c, p).orElseThrow(() -> SiloException.notFound("no such file or directory " + p))));
    }

    /** Moves {@code from} to {@code to}; {@code to} must not exist, its parent must be a directory. */
    public NsEntry mv(String from, String to) throws SiloException {
        NsPath f = NsPath.parse(from);
        NsPath t = NsPath.parse(to);
        if (f.isRoot() || t.isRoot()) {
            throw SiloException.invalid("cannot move the root directory or onto it");
        }
        if (t.within(f)) {
            throw SiloException.invalid("cannot move " + f + " into itself (" + t + ")");
        }
        return catalog.tx(c -> {
            Node n = resolve(c, f).orElseThrow(() -> SiloException.notFound("no such file or directory " + f));
            Node dir = resolve(c, t.parent()).orElseThrow(() -> SiloException.notFound("no directory " + t.parent()));
            if (!dir.dir()) {
                throw SiloException.invalid(t.parent() + " is a file, not a directory");
            }
            if (child(c, dir.id(), t.name()).isPresent()) {
                throw SiloException.of(ErrorCode.EXISTS, t + " already exists");
            }
            long now = System.currentTimeMillis();
            Sql.update(
                    c,
                    "UPDATE ns_entry SET parent_id = ?, name = ?, modified_ms = ? WHERE id = ?",
                    dir.id(),
                    t.name(),
                    now,
                    n.id());
            if (n.dir()) {
                String old = f + "/";
                Sql.update(
                        c,
                        "UPDATE bit_file SET path = ? || substr(path, ?), updated_ms = ? WHERE substr(path, 1, ?) = ?",
                        t + "/",
                        old.length() + 1,
                        now,
                        old.length(),
                        old);
            } else {
                Sql.update(
                        c,
                        "UPDATE bit_file SET path = ?, updated_ms = ? WHERE bfid = ? OR original = ?",
                        t.toString(),
                        now,
                        n.bfid(),
                        n.bfid()); // its copies follow it
            }
            return entry(c, t, resolve(c, t).orElseThrow());
        });
    }

    /** Removes a file (its bit file is marked deleted, its record kept) or an empty directory. */
    public NsEntry rm(String path) throws SiloException {
        NsPath p = NsPath.parse(path);
        if (p.isRoot()) {
            throw SiloException.invalid("cannot remove the root directory");
        }
        return catalog.tx(c -> {
            Node n = resolve(c, p).orElseThrow(() -> SiloException.notFound("no such file or directory " + p));
            NsEntry before = entry(c, p, n);
            if (n.dir() && Sql.count(c, "SELECT COUNT(*) FROM ns_entry WHERE parent_id = ?", n.id()) > 0) {
                throw SiloException.of(ErrorCode.BUSY, "directory " + p + " is not empty");
            }
            Sql.update(c, "DELETE FROM ns_entry WHERE id = ?", n.id());
            if (n.bfid() != null) {
                Sql.update(
                        c,
                        "UPDATE bit_file SET state = 'deleted', updated_ms = ? WHERE bfid = ? OR original = ?",
                        System.currentTimeMillis(),
                        n.bfid(),
                        n.bfid()); // and its copies
                // a container member: its container's live count falls (its bytes become dead space)
                org.silo.archive.volume.Containers.recount(c, "s.bfid = ? OR s.original = ?", n.bfid(), n.bfid());
            }
            return before;
        });
    }

    /** The node at {@code p}, if any. */
    public static Optional<Node> resolve(Connection c, NsPath p) throws SQLException {
        Node n = root(c);
        for (String name : p.names()) {
            Optional<Node> next = child(c, n.id(), name);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            n = next.get();
        }
        return Optional.of(n);
    }

    private static List<String> append(NsPath p, String name) {
        List<String> l = new ArrayList<>(p.names());
        l.add(name);
        return l;
    }

    private static Node root(Connection c) throws SQLException {
        return Sql.one(c, NODE + " WHERE parent_id IS NULL", Namespace::node)
                .orElseThrow(() -> new SQLException("no root entry"));
    }

    private static Optional<Node> child(Connection c, long parent, String name) throws SQLException {
        return Sql.one(c, NODE + " WHERE parent_id = ? AND name = ?", Namespace::node, parent, name);
    }

    private static Node insert(Connection c, long parent, String name, String kind, String bfid, String owner, long now)
            throws SQLException, SiloException {
        Sql.update(
                c,
                "INSERT INTO ns_entry (parent_id, name, kind, bfid, owner, created_ms, modified_ms) VALUES (?,?,?,?,?,?,?)",
                parent,
                name,
                kind,
                bfid,
                owner,
                now,
                now);
        return child(c, parent, name).orElseThrow(() -> new SQLException("entry vanished after insert"));
    }

    public static NsEntry entry(Connection c, NsPath p, Node n) throws SQLException {
        if (n.bfid() == null) {
            return new NsEntry(
                    p.toString(),
                    p.name(),
                    n.dir() ? "dir" : "file",
                    n.owner(),
                    n.createdMs(),
                    n.modifiedMs(),
                    null,
                    0,
                    null,
                    null);
        }
        NsEntry e = Sql.one(
                        c,
                        "SELECT size, adler32, volume FROM bit_file WHERE bfid = ?",
                        rs -> new NsEntry(
                                p.toString(),
                                p.name(),
                                "file",
                                n.owner(),
                                n.createdMs(),
                                n.modifiedMs(),
                                n.bfid(),
                                rs.getLong(1),
                                rs.getString(2),
                                rs.getString(3)),
                        n.bfid())
                .orElseThrow(() -> new SQLException("entry " + p + " names a missing bit file " + n.bfid()));
        // every volume the file is on, the first written first, so that copies are visible (docs/archive.md)
        List<String> copies = new ArrayList<>();
        copies.add(e.volume());
        copies.addAll(Sql.list(
                c,
                "SELECT volume FROM bit_file WHERE original = ? AND state = 'active' ORDER BY bfid",
                rs -> rs.getString(1),
                n.bfid()));
        return new NsEntry(
                e.path(),
                e.name(),
                e.kind(),
                e.owner(),
                e.createdMs(),
                e.modifiedMs(),
                e.bfid(),
                e.size(),
                e.adler32(),
                e.volume(),
                List.copyOf(copies));
    }

    private static final String NODE =
            "SELECT id, parent_id, name, kind, bfid, owner, created_ms, modified_ms FROM ns_entry";

    private static Node node(java.sql.ResultSet rs) throws SQLException {
        long parent = rs.getLong(2);
        Long parentId = rs.wasNull() ? null : parent;
        return new Node(
                rs.getLong(1),
                parentId,
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getLong(7),
                rs.getLong(8));
    }
}
