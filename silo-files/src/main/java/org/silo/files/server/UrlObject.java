package org.silo.files.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.silo.files.FilesOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/** The http(s) gateway (seed 003: "URL takes a URL for string, for gatewaying"): read-only, by Range. */
final class UrlObject implements OpenObject {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final URI uri;
    private final long size;

    private UrlObject(URI uri, long size) {
        this.uri = uri;
        this.size = size;
    }

    static UrlObject open(String url) throws SiloException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw SiloException.invalid("not a URL: " + url);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw SiloException.invalid("only nbd://, http:// and https:// URLs can be opened here, not '" + uri.getScheme() + "'");
        }
        HttpResponse<Void> head = send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding(), uri);
        if (head.statusCode() == 404) {
            throw SiloException.notFound(url + ": 404");
        }
        if (head.statusCode() / 100 != 2) {
            throw new SiloException(ErrorCode.IO, url + ": HTTP " + head.statusCode());
        }
        long size = head.headers().firstValueAsLong("content-length").orElse(-1);
        return new UrlObject(uri, size);
    }

    private static <T> HttpResponse<T> send(HttpRequest.Builder b, HttpResponse.BodyHandler<T> h, URI uri) throws SiloException {
        try {
            return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), h);
        } catch (IOException e) {
            throw new SiloException(ErrorCode.IO, uri + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SiloException(ErrorCode.IO, "interrupted");
        }
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
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri).header("Range", "bytes=" + offset + "-" + (offset + length - 1)),
                HttpResponse.BodyHandlers.ofByteArray(), uri);
        if (r.statusCode() == 206) {
            return r.body();
        }
        if (r.statusCode() == 200) { // no Range support: the whole body came; cut what was asked
            byte[] all = r.body();
            if (offset >= all.length) {
                return new byte[0];
            }
            return java.util.Arrays.copyOfRange(all, (int) offset, (int) Math.min(all.length, offset + length));
        }
        if (r.statusCode() == 416) {
            return new byte[0];
        }
        throw new SiloException(ErrorCode.IO, uri + ": HTTP " + r.statusCode());
    }

    @Override
    public int write(long offset, byte[] data) throws SiloException {
        throw new SiloException(ErrorCode.READ_ONLY, "URLs are read-only here");
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
