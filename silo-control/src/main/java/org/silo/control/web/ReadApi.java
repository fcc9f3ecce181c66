package org.silo.control.web;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.silo.control.ControlData;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;

/**
 * The read-only JSON routes. Rows are filtered to what the caller may read: volumes need
 * {@code archive:vol:LABEL:read}, a directory {@code archive:PATH:read}, images {@code block:NAME:read}.
 */
final class ReadApi {
    static final int MAX_PATH = 4096;
    static final int MAX_NAME = 1024;
    private static final Set<String> KINDS = Set.of("volume", "file", "image");

    private final ControlData data;
    private final Clock clock;
    private final ThroughputHistory history;

    ReadApi(ControlData data, Clock clock, ThroughputHistory history) {
        this.data = data;
        this.clock = clock;
        this.history = history;
    }

    Map<String, Object> status() {
        return StatusSummary.of(data.status(), clock.millis());
    }

    /** The last hour of the overview's counters, kept by the server ({@link ThroughputHistory}). */
    Map<String, Object> throughput() {
        return history.json();
    }

    Map<String, Object> volumes(ConsoleAccess.Caller caller) throws SiloException {
        List<Map<String, Object>> rows = data.volumes().stream()
                .filter(v -> caller.allows("archive", "vol:" + v.get("label"), Right.READ))
                .toList();
        return Map.of("volumes", rows);
    }

    /**
     * A page of a directory: {@code after} is the cursor (the {@code next} of the page before), {@code limit}
     * the page's size (default {@link #PAGE}, at most {@link #MAX_PAGE}); {@code next} is in the answer only
     * when more entries follow.
     */
    Map<String, Object> files(ConsoleAccess.Caller caller, String path, String after, String limit)
            throws SiloException, ApiException {
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        if (!path.startsWith("/") || path.length() > MAX_PATH) {
            throw ApiException.badRequest("path must start with '/' and be at most " + MAX_PATH + " characters");
        }
        if (after != null && (after.isEmpty() || after.length() > MAX_NAME)) {
            throw ApiException.badRequest("after must be 1 to " + MAX_NAME + " characters");
        }
        int n = PAGE;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_PAGE) {
                throw ApiException.badRequest("limit must be a number from 1 to " + MAX_PAGE);
            }
        }
        caller.require("archive", path, Right.READ);
        Map<String, Object> page = data.directoryPage(path, after, n);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("entries", page.get("entries"));
        if (page.get("next") != null) {
            m.put("next", page.get("next"));
        }
        return m;
    }

    /** Entries of a directory page the console shows at once, and the most it may ask for. */
    static final int PAGE = 200;

    static final int MAX_PAGE = 10_000;

    /** The images and their snapshots (those of removed images too), each as read on its image allows. */
    Map<String, Object> images(ConsoleAccess.Caller caller) throws SiloException {
        List<Map<String, Object>> rows = data.images().stream()
                .filter(i -> caller.allows("block", String.valueOf(i.get("name")), Right.READ))
                .toList();
        List<Map<String, Object>> snapshots = data.snapshots().stream()
                .filter(s -> caller.allows("block", String.valueOf(s.get("image")), Right.READ))
                .toList();
        return Map.of("images", rows, "snapshots", snapshots);
    }

    /** The movers with their live progress; needs read on the archive. */
    Map<String, Object> movers(ConsoleAccess.Caller caller) throws SiloException, ApiException {
        caller.require("archive", "", Right.READ);
        return Map.of("movers", data.movers());
    }

    /** The library manager's queue, waiting and running; needs read on the archive. */
    Map<String, Object> jobs(ConsoleAccess.Caller caller) throws SiloException, ApiException {
        caller.require("archive", "", Right.READ);
        return Map.of("jobs", data.jobs());
    }

    /** The file access service's leases; needs read on the files service. */
    Map<String, Object> leases(ConsoleAccess.Caller caller) throws SiloException, ApiException {
        caller.require("files", "", Right.READ);
        return Map.of("leases", data.leases());
    }

    /** Mounts waiting for an operator (manual changer); needs read on the archive. */
    Map<String, Object> mounts(ConsoleAccess.Caller caller) throws SiloException, ApiException {
        caller.require("archive", "", Right.READ);
        return Map.of("mounts", data.mounts());
    }

    Map<String, Object> whatis(ConsoleAccess.Caller caller, String kind, String name)
            throws SiloException, ApiException {
        if (kind == null || !KINDS.contains(kind)) {
            throw ApiException.badRequest("kind must be volume, file or image");
        }
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            throw ApiException.badRequest("name must be 1 to " + MAX_NAME + " characters");
        }
        switch (kind) {
            case "volume" -> caller.require("archive", "vol:" + name, Right.READ);
            case "file" -> caller.require("archive", name, Right.READ);
            default -> caller.require("block", name, Right.READ);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("name", name);
        m.put("info", data.whatis(kind, name));
        return m;
    }

    static Map<String, Object> session(ConsoleAccess.Caller caller) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loggedIn", caller.session() != null);
        m.put("list", caller.session() == null ? null : caller.session().list());
        m.put(
                "grants",
                caller.session() == null ? null : caller.session().grants().toString());
        m.put("anonymous", caller.anonymous().toString());
        return m;
    }
}
