package org.silo.archive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.silo.archive.catalog.Catalog;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.codec.WireReader;
import org.silo.wire.codec.WireWriter;
import org.silo.wire.op.Operation;
import org.silo.wire.server.CallContext;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.Handler;

/**
 * At most once across servers: each mutating archive call of a client that gave an id in START is
 * recorded, by (client id, request id, its place in the message), with its encoded outcome, in the same
 * catalog transaction as its effect (the handler's own {@link Catalog#tx} calls join the record's). A
 * repeat on any server of the catalog, which the reply cache of the first server cannot answer (it died
 * before answering and the client moved on, docs/protocol.md §7), is answered from the record, and what
 * it did again is rolled back. A call that fails leaves no record and no effect, so its repeat runs and
 * fails the same.
 *
 * <p>The record is looked for only when the call fails: a repeat of a recorded call either fails (the
 * directory exists, the job is no longer the mover's) or, if its run would succeed again, collides with
 * the record on its key; either way its transaction is rolled back and the record answers. A first run
 * costs one INSERT in its transaction. The handlers recorded change only the catalog, and what else a
 * rolled-back repeat touches (a mover's state in memory, a volume's directory made again) is the same
 * after it as before.
 *
 * <pre>{@code
 * CallRecords records = new CallRecords(catalog);
 * records.register(d, FileClerkOps.MKDIR, (ctx, q) -> namespace.mkdir(...));  // instead of d.registerBlocking
 * }</pre>
 *
 * <p>Records go when the client's session ends with END (the client has every answer it will ask for) or
 * after {@link #RETENTION}, far longer than a call's retry span (its deadline on each server of its list).
 */
public final class CallRecords {
    /** How long a record is kept for a client that never ended its session (docs/archive.md). */
    public static final Duration RETENTION = Duration.ofHours(24);

    private static final String SEQ = "silo.callRecords.seq";

    private final Catalog catalog;
    private final AtomicLong answered = new AtomicLong();
    private volatile boolean enabled = true;

    public CallRecords(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Registers a mutating operation whose successful runs are recorded (it runs on a worker thread). */
    public <Q, R> void register(Dispatcher d, Operation<Q, R> op, Handler<Q, R> handler) {
        d.registerBlocking(op, (ctx, q) -> run(ctx, op, q, handler));
    }

    /**
     * Off: calls are neither recorded nor looked up, as for a client without an id. Only for measuring
     * what the record costs ({@code MkdirRecordBench}); a server always records.
     */
    public void enabled(boolean on) {
        enabled = on;
    }

    /** Repeats answered from a record since the server started. */
    public long answered() {
        return answered.get();
    }

    <Q, R> R run(CallContext ctx, Operation<Q, R> op, Q request, Handler<Q, R> handler) throws SiloException {
        long client = ctx.session().clientId();
        if (client == 0 || !enabled) {
            return handler.handle(ctx, request); // a client without an id: only the reply cache
        }
        int seq = (Integer) ctx.message().merge(SEQ, 1, (a, b) -> (Integer) a + (Integer) b) - 1;
        WireWriter in = new WireWriter();
        op.request().encode(request, in);
        CRC32C crc = new CRC32C();
        crc.update(in.toByteArray());
        long requestCrc = crc.getValue();
        String user = ctx.session().user();
        try {
            // optimistic: a first run (nearly every call) costs one INSERT; a repeat is found when it fails
            // (a mkdir run again: "exists") or when its record collides with the first's
            return catalog.txAround(conn -> {
                R result = handler.handle(ctx, request);
                WireWriter out = new WireWriter();
                op.reply().encode(result, out);
                try (PreparedStatement ps = conn.prepareStatement(
                        "INSERT INTO client_call (client_id, request_id, seq, op, request_crc, by_user, outcome,"
                                + " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setLong(1, client);
                    ps.setLong(2, ctx.requestId());
                    ps.setInt(3, seq);
                    ps.setInt(4, op.code());
                    ps.setLong(5, requestCrc);
                    ps.setString(6, user);
                    ps.setBytes(7, out.toByteArray());
                    ps.setLong(8, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                return result;
            });
        } catch (SiloException e) {
            // the call's effect and record are rolled back; was it a repeat of a recorded call?
            byte[] saved = catalog.tx(conn -> find(conn, client, ctx.requestId(), seq, op.code(), requestCrc, user));
            if (saved == null) {
                throw e;
            }
            answered.incrementAndGet();
            return op.reply().decode(new WireReader(saved));
        }
    }

    /**
     * The outcome recorded for this call, or null. A record of another operation or request under the same
     * ids is a client's mistake, answered REUSED_ID as the reply cache answers it (docs/protocol.md §6); so is
     * a repeat by another user than the one who made the call, who is shown nothing of its outcome.
     */
    private static byte[] find(Connection conn, long client, long request, int seq, int op, long crc, String user)
            throws SQLException, SiloException {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT op, request_crc, by_user, outcome FROM client_call WHERE client_id = ? AND request_id = ? AND seq = ?")) {
            ps.setLong(1, client);
            ps.setLong(2, request);
            ps.setInt(3, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                if (!rs.getString(3).equals(user)) {
                    throw SiloException.of(
                            ErrorCode.REUSED_ID,
                            "request id " + request + " was used by another user of this client id");
                }
                if (rs.getInt(1) != op || rs.getLong(2) != crc) {
                    throw SiloException.of(
                            ErrorCode.REUSED_ID, "request id " + request + " was used for another call by this client");
                }
                return rs.getBytes(4);
            }
        }
    }

    /** The client ended its session cleanly: it will repeat none of its calls. Returns the records dropped. */
    public int forget(long client) throws SiloException {
        return catalog.tx(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM client_call WHERE client_id = ?")) {
                ps.setLong(1, client);
                return ps.executeUpdate();
            }
        });
    }

    /** Drops records older than {@link #RETENTION}; returns how many. */
    public int purge(long nowMillis) throws SiloException {
        return catalog.tx(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM client_call WHERE created_ms < ?")) {
                ps.setLong(1, nowMillis - RETENTION.toMillis());
                return ps.executeUpdate();
            }
        });
    }
}
