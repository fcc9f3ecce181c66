package org.silo.archive.cluster;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers that share one catalog (docs/architecture.md, "Cluster"), as the catalog knows them: a
 * server writes its row when it starts ({@link #join}), moves its {@code seen_ms} on every {@link
 * #beat}, and marks it stopped when it stops ({@link #close}). Nothing here decides anything: a row is
 * what STATUS and the console show, so that an operator of any server sees every other one and which
 * movers each holds. A server killed keeps its row, not stopped, and its heartbeat stops moving: it is
 * shown as {@code silent} once it has missed {@link #SILENT_AFTER_BEATS} beats.
 */
public final class ServerRoster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerRoster.class);

    /** How often a server says it is alive. */
    public static final Duration BEAT = Duration.ofSeconds(10);

    /** Missed beats after which a server that did not say it stopped is shown as silent. */
    static final int SILENT_AFTER_BEATS = 3;

    /** One server's row, and what its heartbeat says of it at {@code nowMs}. */
    public record Member(
            String address,
            String name,
            String version,
            String host,
            long pid,
            long startedMs,
            long seenMs,
            Long stoppedMs,
            String state) {}

    private final Catalog catalog;
    private final String address;

    private ServerRoster(Catalog catalog, String address) {
        this.catalog = catalog;
        this.address = address;
    }

    /**
     * Writes this server's row (again, after a restart at the same address) and returns the roster.
     *
     * @param address where clients reach this server's message layer, HOST:PORT
     */
    public static ServerRoster join(Catalog catalog, String address, String name, String version, long nowMs)
            throws SiloException {
        String host = hostName();
        long pid = ProcessHandle.current().pid();
        catalog.tx(c -> Sql.update(
                c,
                "INSERT INTO server (address, name, version, host, pid, started_ms, seen_ms, stopped_ms)"
                        + " VALUES (?,?,?,?,?,?,?,NULL) ON CONFLICT (address) DO UPDATE SET name = excluded.name,"
                        + " version = excluded.version, host = excluded.host, pid = excluded.pid,"
                        + " started_ms = excluded.started_ms, seen_ms = excluded.seen_ms, stopped_ms = NULL",
                address,
                cut(name, 128),
                cut(version, 64),
                cut(host, 256),
                pid,
                nowMs,
                nowMs));
        return new ServerRoster(catalog, address);
    }

    /** The address this server's row is under. */
    public String address() {
        return address;
    }

    /**
     * Whether the server at {@code address} is up as the catalog says at {@code nowMs}: it has a row, has
     * not stopped, and has not missed {@link #SILENT_AFTER_BEATS} beats. A mover connected to a server
     * that is not up may be released by any other server (docs/archive.md, "Several servers on one catalog").
     */
    public static boolean up(java.sql.Connection c, String address, long nowMs) throws SQLException {
        long silentAfter = SILENT_AFTER_BEATS * BEAT.toMillis();
        return Sql.count(
                        c,
                        "SELECT COUNT(*) FROM server WHERE address = ? AND stopped_ms IS NULL AND seen_ms >= ?",
                        address,
                        nowMs - silentAfter)
                > 0;
    }

    /** Says this server is alive; a catalog that cannot be reached now is logged, not thrown. */
    public void beat(long nowMs) {
        try {
            catalog.tx(c -> Sql.update(
                    c, "UPDATE server SET seen_ms = ? WHERE address = ? AND stopped_ms IS NULL", nowMs, address));
        } catch (SiloException e) {
            log.warn("cannot write this server's heartbeat to the catalog: {}", e.getMessage());
        }
    }

    /** Every server of the catalog, by address, with its state at {@code nowMs}. */
    public List<Member> members(long nowMs) throws SiloException {
        long silentAfter = SILENT_AFTER_BEATS * BEAT.toMillis();
        return catalog.tx(c -> Sql.list(
                c,
                "SELECT address, name, version, host, pid, started_ms, seen_ms, stopped_ms FROM server ORDER BY address",
                rs -> member(rs, nowMs, silentAfter)));
    }

    private static Member member(ResultSet rs, long nowMs, long silentAfter) throws SQLException {
        long seen = rs.getLong("seen_ms");
        long stopped = rs.getLong("stopped_ms");
        Long stoppedMs = rs.wasNull() ? null : stopped;
        String state = stoppedMs != null ? "stopped" : nowMs - seen > silentAfter ? "silent" : "up";
        return new Member(
                rs.getString("address"),
                rs.getString("name"),
                rs.getString("version"),
                rs.getString("host"),
                rs.getLong("pid"),
                rs.getLong("started_ms"),
                seen,
                stoppedMs,
                state);
    }

    /**
     * STATUS's {@code cluster} part: every server by address with its state, this one marked {@code self},
     * and the movers the catalog says each is connected to.
     */
    public Map<String, Object> status(long nowMs) throws SiloException {
        Map<String, List<String>> movers = catalog.tx(c -> {
            Map<String, List<String>> m = new LinkedHashMap<>();
            Sql.list(
                            c,
                            "SELECT server, name FROM mover WHERE server IS NOT NULL AND state <> 'offline'"
                                    + " ORDER BY name",
                            rs -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> m.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>())
                            .add(e.getValue()));
            return m;
        });
        Map<String, Object> out = new LinkedHashMap<>();
        for (Member s : members(nowMs)) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", s.name());
            one.put("state", s.state());
            if (s.address().equals(address)) {
                one.put("self", true);
            }
            one.put("version", s.version());
            one.put("host", s.host());
            one.put("pid", s.pid());
            one.put("startedAt", Instant.ofEpochMilli(s.startedMs()).toString());
            one.put("seenSecondsAgo", Math.max(0, (nowMs - s.seenMs()) / 1000));
            if (s.stoppedMs() != null) {
                one.put("stoppedAt", Instant.ofEpochMilli(s.stoppedMs()).toString());
            }
            one.put("movers", String.join(",", movers.getOrDefault(s.address(), List.of())));
            out.put(s.address(), one);
        }
        return out;
    }

    /** Marks this server stopped: the others show it so, not as silent. */
    @Override
    public void close() {
        long now = System.currentTimeMillis();
        try {
            catalog.tx(c -> Sql.update(
                    c, "UPDATE server SET stopped_ms = ?, seen_ms = ? WHERE address = ?", now, now, address));
        } catch (SiloException e) {
            log.warn("cannot mark this server stopped in the catalog: {}", e.getMessage());
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
