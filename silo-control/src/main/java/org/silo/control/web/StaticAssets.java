package org.silo.control.web;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The pages, scripts and style sheet, read once from the classpath under
 * {@code org/silo/control/web/static/}. Only plain names are served (no directories, no dots first),
 * so no request can reach another resource.
 */
final class StaticAssets {
    private static final String ROOT = "org/silo/control/web/static/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,40}\\.(html|js|css|svg)");
    private static final Map<String, String> PAGES = Map.of(
            "/", "overview.html",
            "/volumes", "volumes.html",
            "/files", "files.html",
            "/images", "images.html",
            "/movers", "movers.html",
            "/leases", "leases.html");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");
    /** Pages, scripts and styles only from this server: no inline script, nothing from elsewhere. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    static boolean isPage(String path) {
        return PAGES.containsKey(path);
    }

    /** A page by its route, or an asset under /static/; null when there is none. */
    ConsoleResponse find(String path) {
        String name = PAGES.get(path);
        if (name == null && path.startsWith("/static/")) {
            name = path.substring("/static/".length());
        }
        if (name == null || !NAME.matcher(name).matches()) {
            return null;
        }
        byte[] body = cache.get(name);
        if (body == null) {
            body = load(name);
            if (body == null) {
                return null;
            }
            cache.put(name, body);
        }
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
        return new ConsoleResponse(HttpResponseStatus.OK, type, body, Map.of("Content-Security-Policy", CSP));
    }

    private static byte[] load(String name) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT + name, e);
        }
    }
}
