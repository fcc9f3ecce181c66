package org.silo.control.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The overview's numbers, picked out of the server's STATUS map by path (docs/console.md lists them),
 * so the page does not need to know how each service nests its counters. A number the server does not
 * report is null, and the page shows a dash.
 */
final class StatusSummary {
    private StatusSummary() {}

    /** Summary name to the dotted path of its number in STATUS. */
    static final Map<String, String> PATHS = paths();

    private static Map<String, String> paths() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("volumes", "archive.volumes");
        m.put("files", "archive.filesActive");
        m.put("copies", "archive.copiesActive");
        m.put("bytes", "archive.bytesActive");
        m.put("images", "block.images");
        m.put("sessions", "message.sessions");
        m.put("requests", "message.requests");
        m.put("bytesMoved", "bytesMoved");
        return m;
    }

    /** {@code {time, summary, server}}: what /api/status answers and the status event carries. */
    static Map<String, Object> of(Map<String, Object> status, long timeMillis) {
        Map<String, Object> summary = new LinkedHashMap<>();
        PATHS.forEach((name, path) -> summary.put(name, number(status, path)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", timeMillis);
        m.put("summary", summary);
        m.put("server", status);
        return m;
    }

    static Number number(Map<String, Object> status, String path) {
        Object at = status;
        for (String key : path.split("\\.")) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(key);
        }
        return at instanceof Number n ? n : null;
    }
}
