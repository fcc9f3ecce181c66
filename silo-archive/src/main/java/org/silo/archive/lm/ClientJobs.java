package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.LibraryMessages.ClientGone;
import org.silo.wire.NotFoundException;
import org.silo.wire.SiloException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transfers (write_to_hsm, read_from_hsm) each client session queued, and what becomes of them when
 * their client is gone. A transfer needs its client: the mover connects to the client's callback. Work
 * whose client went away can never finish, and would hold its path ("already being written by job N")
 * until the client's --wait ran out, so it is cancelled, saying why:
 *
 * <ul>
 * <li>the session ended: by END, "cancelled by the client" (a client that stops, e.g. on Ctrl-C, ends its
 *     session); by expiry, "cancelled: the client's session expired" (seed 002's ACTION_NETWORK_END): its
 *     queued requests and running writes (a running read is its mover's to finish or to find gone);
 * <li>a mover could not connect to the callback: that request, and every queued one of the same callback
 *     (the same client, whose listener is gone);
 * <li>the client went away in the middle of a transfer, or no longer waits for the request's token: that
 *     request.
 * </ul>
 *
 * Which session queued what is kept in memory: after a server restart a client's old requests belong to
 * no session, and are cancelled when a mover finds their client gone.
 *
 * <pre>{@code
 * JobInfo j = lm.submitWrite(q, who);
 * lm.clients().queuedBy(ctx.session().id(), j.id());
 * ...
 * lm.clients().sessionEnded(session.id(), ClientJobs.BY_THE_CLIENT);
 * }</pre>
 */
public final class ClientJobs {
    private static final Logger log = LoggerFactory.getLogger(ClientJobs.class);

    /** The reason of a request whose client ended its session (END). */
    public static final String BY_THE_CLIENT = org.silo.archive.ops.LibraryMessages.CANCELLED_BY_CLIENT;
    /** The reason of a request whose client's session expired. */
    public static final String SESSION_EXPIRED =
            "cancelled: the client's session expired (no word from the client for longer than" + " wire.session-idle)";

    /** Live requests kept per session before the finished ones are let go. */
    private static final int PRUNE_AT = 4096;

    private final LibraryManager lm;
    private final Catalog catalog;
    private final Map<Long, Set<Long>> bySession = new ConcurrentHashMap<>();

    ClientJobs(LibraryManager lm, Catalog catalog) {
        this.lm = lm;
        this.catalog = catalog;
    }

    /** Request {@code job} was queued (or asked for again) in {@code session}. */
    public void queuedBy(long session, long job) throws SiloException {
        Set<Long> jobs = bySession.computeIfAbsent(session, s -> ConcurrentHashMap.newKeySet());
        jobs.add(job);
        if (jobs.size() > PRUNE_AT) {
            Set<Long> live = new HashSet<>(catalog.tx(c ->
                    Sql.list(c, "SELECT id FROM request WHERE state IN ('queued', 'active')", rs -> rs.getLong(1))));
            jobs.retainAll(live);
        }
    }

    /**
     * The session is over: its requests still queued, and its writes still running, are cancelled with
     * {@code reason}. Returns how many. A running read is left to its mover: the client may have the whole
     * file already (a get is done when the file is in place, before its mover reports), and if it does
     * not, the mover finds it gone and cancels the read.
     */
    public int sessionEnded(long session, String reason) throws SiloException {
        Set<Long> jobs = bySession.remove(session);
        if (jobs == null) {
            return 0;
        }
        List<Long> ids = List.copyOf(jobs);
        List<Long> left = catalog.tx(c -> {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < ids.size(); i += 500) {
                List<Long> chunk = ids.subList(i, Math.min(ids.size(), i + 500));
                String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
                out.addAll(Sql.list(
                        c,
                        "SELECT id FROM request WHERE id IN (" + marks + ") AND (state = 'queued'"
                                + " OR (state = 'active' AND kind = 'write'))",
                        rs -> rs.getLong(1),
                        chunk.toArray()));
            }
            return out;
        });
        int n = 0;
        for (long id : left) {
            n += cancelLive(id, reason) ? 1 : 0;
        }
        if (n > 0) {
            log.info("session {}: {} requests {}", Long.toHexString(session), n, reason);
        }
        return n;
    }

    /**
     * From a mover's transfer_done: cancels each request whose client it found gone and, for a client it
     * could not reach at all, the queued requests of the same callback. Returns the ids it cancelled.
     */
    Set<Long> gone(List<ClientGone> gone, String moverName, long job) throws SiloException {
        Set<Long> out = new HashSet<>();
        for (ClientGone g : gone) {
            String reason = "cancelled: " + Requests.cut(g.why(), 1900);
            if (cancelLive(g.request(), reason)) {
                out.add(g.request());
            }
            if (g.unreachable()) {
                String callback = catalog.tx(c -> Sql.one(
                                c, "SELECT callback FROM request WHERE id = ?", rs -> rs.getString(1), g.request()))
                        .orElse(null);
                List<Long> same = callback == null
                        ? List.of()
                        : catalog.tx(c -> Sql.list(
                                c,
                                "SELECT id FROM request WHERE callback = ?"
                                        + " AND state = 'queued' AND kind IN ('write', 'read')",
                                rs -> rs.getLong(1),
                                callback));
                for (long id : same) {
                    if (cancelLive(id, reason + " (found by mover " + moverName + " on job " + job + ")")) {
                        out.add(id);
                    }
                }
            }
        }
        if (!out.isEmpty()) {
            log.info("mover {}, job {}: client gone, requests {} cancelled", moverName, job, out);
        }
        return out;
    }

    private boolean cancelLive(long id, String reason) throws SiloException {
        try {
            return lm.cancel(id, reason);
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * The request a client made before with this kind, path, callback and token, if any: a write_to_hsm or
     * read_from_hsm sent again (its answer was lost, e.g. in a server restart) gets the request it made the
     * first time instead of a second one (which, for a write, would be refused as "already being written").
     */
    static Optional<Long> repeated(Connection c, String kind, String path, String callback, String token)
            throws SQLException {
        return Sql.one(
                c,
                "SELECT id FROM request WHERE token = ? AND callback = ? AND kind = ? AND path = ? ORDER BY id LIMIT 1",
                rs -> rs.getLong(1),
                token,
                callback,
                kind,
                path);
    }
}
