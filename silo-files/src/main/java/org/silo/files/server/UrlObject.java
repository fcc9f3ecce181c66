package org.silo.files.server;

import java.net.URI;
import org.silo.files.FilesOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The http(s) gateway (seed 003: "URL takes a URL for string, for gatewaying"): read-only, by Range. It
 * fetches on the server, through {@link HttpFetcher}, so only addresses the {@link GatewayAddressPolicy}
 * allows are reached (docs/files.md).
 */
final class UrlObject implements OpenObject {
    private final HttpFetcher http;
    private final URI uri;
    private final long size;

    private UrlObject(HttpFetcher http, URI uri, long size) {
        this.http = http;
        this.uri = uri;
        this.size = size;
    }

    static UrlObject open(HttpFetcher http, String url) throws SiloException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw SiloException.invalid("not a URL: " + url + " (" + e.getReason() + ")");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw SiloException.invalid(
                    "only nbd://, http:// and https:// URLs can be opened here, not '" + uri.getScheme() + "'");
        }
        HttpFetcher.Response head = http.head(uri);
        if (head.status() == 404 || head.status() == 410) {
            throw SiloException.notFound(url + ": HTTP " + head.status());
        }
        if (head.status() / 100 != 2) {
            throw SiloException.of(ErrorCode.IO, url + ": HTTP " + head.status());
        }
        return new UrlObject(http, uri, head.contentLength());
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public byte[] read(long offset, int length) throws SiloException {
        if (length == 0 || (size >= 0 && offset >= size)) {
            return new byte[0];
        }
        HttpFetcher.Response r = http.get(uri, offset, length);
        if (r.status() == 206 || r.status() == 200) { // 200: no Range support; the fetcher cut what was asked
            return r.body();
        }
        if (r.status() == 416) {
            return new byte[0];
        }
        throw SiloException.of(ErrorCode.IO, uri + ": HTTP " + r.status());
    }

    @Override
    public int write(long offset, byte[] data) throws SiloException {
        throw SiloException.of(ErrorCode.READ_ONLY, "URLs are read-only here");
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public long modifiedMillis() {
        return 0;
    }

    @Override
    public int nameType() {
        return FilesOps.URL;
    }

    @Override
    public void close() {}
}
