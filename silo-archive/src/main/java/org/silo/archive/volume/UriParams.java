package org.silo.archive.volume;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** URI helpers for backend strings. */
final class UriParams {
    private UriParams() {}

    static String param(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String kv : rawQuery.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) {
                return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
