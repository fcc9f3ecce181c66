package org.silo.archive.catalog;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.silo.archive.ops.VolumeMessages.BackupResult;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Consistent copies of a running catalog, and restoring one. SQLite: the online backup API (through
 * sqlite-jdbc's {@code backup to FILE}), which copies a consistent snapshot while the server runs.
 * PostgreSQL: {@code pg_dump --format=custom} (one snapshot), restored with {@code pg_restore --clean}.
 */
public final class CatalogBackup {
    private CatalogBackup() {}

    public static BackupResult backup(Catalog catalog, Path dest) throws SiloException {
        long t0 = System.nanoTime();
        Path d = dest.toAbsolutePath();
        try {
            if (d.getParent() != null) {
                Files.createDirectories(d.getParent());
            }
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "cannot create " + d.getParent() + ": " + e.getMessage(), e);
        }
        if (catalog.engine() == Catalog.Engine.SQLITE) {
            Path tmp = d.resolveSibling(d.getFileName() + ".part");
            // a connection of its own, in autocommit: backup_step(-1) copies the whole database under one
            // read transaction, so the copy is one consistent snapshot while the server goes on writing
            try (Connection c = DriverManager.getConnection(catalog.rawUrl());
                    Statement s = c.createStatement()) {
                s.executeUpdate("backup to \"" + tmp.toString().replace("\"", "") + "\"");
            } catch (SQLException e) {
                throw SiloException.of(ErrorCode.IO, "cannot back up the catalog to " + d + ": " + e.getMessage(), e);
            }
            try {
                Files.move(tmp, d, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw SiloException.of(ErrorCode.IO, "cannot write " + d + ": " + e.getMessage(), e);
            }
        } else {
            List<String> cmd = new ArrayList<>(List.of("pg_dump", "--format=custom", "--no-owner", "--file=" + d));
            Pg pg = Pg.of(catalog.rawUrl());
            if (catalog.schema() != null) {
                cmd.add("--schema=" + catalog.schema());
            }
            run(pg.args(cmd), pg);
        }
        try {
            return new BackupResult(
                    d.toString(),
                    catalog.engine().name().toLowerCase(),
                    Files.size(d),
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "backup " + d + " vanished: " + e.getMessage(), e);
        }
    }

    /**
     * Restores a backup into the catalog named by {@code setting} (as for {@link Catalog#open}); the
     * server must be stopped. SQLite: the file replaces {@code <dataDir>/catalog.db}. PostgreSQL: the
     * dump is restored over the database (or schema) with {@code pg_restore --clean}.
     */
    public static void restore(Path backup, Path dataDir, String setting) throws SiloException {
        if (!Files.isRegularFile(backup)) {
            throw SiloException.notFound("no backup file " + backup);
        }
        if (setting == null || setting.isBlank() || setting.equals("sqlite") || setting.startsWith("jdbc:sqlite:")) {
            Path db = setting == null || setting.isBlank() || setting.equals("sqlite")
                    ? dataDir.resolve("catalog.db")
                    : Path.of(setting.substring("jdbc:sqlite:".length()));
            try {
                byte[] head = new byte[16];
                try (var in = Files.newInputStream(backup)) {
                    if (in.read(head) != 16
                            || !new String(head, 0, 15, java.nio.charset.StandardCharsets.US_ASCII)
                                    .equals("SQLite format 3")) {
                        throw SiloException.invalid(backup + " is not a SQLite catalog backup");
                    }
                }
                Files.createDirectories(db.toAbsolutePath().getParent());
                Path tmp = db.resolveSibling(db.getFileName() + ".restore");
                Files.copy(backup, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(db.resolveSibling(db.getFileName() + "-wal"));
                Files.deleteIfExists(db.resolveSibling(db.getFileName() + "-shm"));
                Files.move(tmp, db, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw SiloException.of(
                        ErrorCode.IO, "cannot restore " + backup + " to " + db + ": " + e.getMessage(), e);
            }
        } else if (setting.startsWith("jdbc:postgresql:")) {
            Pg pg = Pg.of(setting);
            run(
                    pg.args(new ArrayList<>(List.of(
                            "pg_restore",
                            "--clean",
                            "--if-exists",
                            "--no-owner",
                            "--exit-on-error",
                            backup.toAbsolutePath().toString()))),
                    pg);
        } else {
            throw SiloException.invalid("unknown catalog '" + setting + "'");
        }
    }

    private static void run(List<String> cmd, Pg pg) throws SiloException {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (pg.password != null) {
                pb.environment().put("PGPASSWORD", pg.password);
            }
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw SiloException.of(ErrorCode.IO, cmd.get(0) + " did not finish in 10 minutes");
            }
            if (p.exitValue() != 0) {
                throw SiloException.of(
                        ErrorCode.IO, cmd.get(0) + " failed (" + p.exitValue() + "): " + new String(out).trim());
            }
        } catch (IOException e) {
            throw SiloException.of(
                    ErrorCode.IO,
                    "cannot run " + cmd.get(0) + " (is the PostgreSQL client installed?): " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SiloException.of(ErrorCode.IO, cmd.get(0) + " interrupted");
        }
    }

    /** Connection settings of a jdbc:postgresql URL, as pg_dump options. */
    private record Pg(String host, int port, String db, String user, String password) {
        static Pg of(String jdbcUrl) throws SiloException {
            try {
                URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
                Map<String, String> q = new java.util.HashMap<>();
                if (u.getRawQuery() != null) {
                    for (String kv : u.getRawQuery().split("&")) {
                        int eq = kv.indexOf('=');
                        if (eq > 0) {
                            q.put(
                                    kv.substring(0, eq),
                                    java.net.URLDecoder.decode(
                                            kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }
                }
                String db = u.getPath() == null || u.getPath().length() <= 1
                        ? "postgres"
                        : u.getPath().substring(1);
                return new Pg(
                        u.getHost() == null ? "localhost" : u.getHost(),
                        u.getPort() < 0 ? 5432 : u.getPort(),
                        db,
                        q.get("user"),
                        q.get("password"));
            } catch (IllegalArgumentException e) {
                throw SiloException.invalid("bad PostgreSQL URL: " + e.getMessage());
            }
        }

        List<String> args(List<String> cmd) {
            cmd.add(1, "--host=" + host);
            cmd.add(2, "--port=" + port);
            cmd.add(3, "--dbname=" + db);
            if (user != null) {
                cmd.add(4, "--username=" + user);
            }
            return cmd;
        }
    }
}
