package org.silo.archive.lm;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import org.silo.archive.catalog.Sql;
import org.silo.archive.lm.Requests.Req;
import org.silo.archive.ops.LibraryMessages;
import org.silo.wire.SiloException;

/**
 * Whether a library has movers, from the catalog's {@code mover} table (which keeps every mover that
 * ever spoke, with the library it serves and its last state): a request for a library no mover has
 * ever served is refused at once, and a request waiting because every mover of its library is offline
 * says so, so that no client waits in silence for a mover that is not there.
 */
final class MoverPresence {
    private MoverPresence() {}

    /** Refuses a transfer for a library that no mover has ever served: nothing would ever take it. */
    static void requireServed(Connection c, String library) throws SQLException, SiloException {
        if (Sql.count(c, "SELECT COUNT(*) FROM mover WHERE library = ?", library) == 0) {
            throw SiloException.notFound("no mover has ever served library " + library
                    + ": start one for it (silo mover run --library " + library + ") and try again");
        }
    }

    /**
     * The error a request is shown with (job_info, job_ls): for a queued one whose library has no mover
     * connected, {@link #waiting}; else its own. {@code byLibrary} remembers the answer per library
     * within one listing.
     */
    static String shownError(Connection c, Req r, Map<String, Optional<String>> byLibrary) throws SQLException {
        if (!r.state().equals("queued")) {
            return r.error();
        }
        Optional<String> why = byLibrary.get(r.library());
        if (why == null) {
            why = Optional.ofNullable(waiting(c, r.library()));
            byLibrary.put(r.library(), why);
        }
        return why.orElse(r.error());
    }

    /**
     * Why a queued request of the library waits, when a person must act: {@code queued: no mover of library
     * L is connected} when every mover of the library is offline (silent for longer than the mover
     * timeout); null otherwise.
     */
    static String waiting(Connection c, String library) throws SQLException {
        if (Sql.count(c, "SELECT COUNT(*) FROM mover WHERE library = ? AND state <> 'offline'", library) > 0) {
            return null;
        }
        return LibraryMessages.QUEUED + "no mover of library " + library + " is connected";
    }
}
