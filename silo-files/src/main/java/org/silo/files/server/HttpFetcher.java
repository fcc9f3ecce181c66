package org.silo.files.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * The URL gateway's HTTP/1.1 client: HEAD for the size, GET with a Range for each read. It is its own,
 * small and plain, rather than the JDK's HttpClient because it must connect to the very
 * address {@link GatewayAddressPolicy} checked, and check each redirect's target too; the JDK's client
 * resolves names itself and follows redirects without asking. TLS verifies the certificate against the
 * URL's host name (SNI and endpoint identification), as any browser would.
 *
 * <p>One request per connection ({@code Connection: close}); bodies are read as far as needed and never
 * held beyond the bytes asked for.
 */
final class HttpFetcher {
    static final int MAX_REDIRECTS = 5;
    private static final int CONNECT_MILLIS = 10_000;
    private static final int READ_MILLIS = 30_000;
    private static final int MAX_HEADER_BYTES = 64 << 10;

    /** A response's status and headers (names in lower case), and the body bytes read. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        long contentLength() {
            try {
                return Long.parseLong(
                        headers.getOrDefault("content-length", "-1").trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private final GatewayAddressPolicy addresses;

    HttpFetcher(GatewayAddressPolicy addresses) {
        this.addresses = addresses;
    }

    /** HEAD, following redirects. */
    Response head(URI uri) throws SiloException {
        return fetch(uri, "HEAD", 0, 0);
    }

    /**
     * GET of {@code length} bytes at {@code offset}, following redirects: the body of a 206, or that part of
     * a 200's (a server without Range support sends it all; the rest is not read).
     */
    Response get(URI uri, long offset, int length) throws SiloException {
        return fetch(uri, "GET", offset, length);
    }

    private Response fetch(URI first, String method, long offset, int length) throws SiloException {
        URI uri = first;
        for (int hop = 0; ; hop++) {
            Response r = once(uri, method, offset, length);
            String location = r.headers().get("location");
            if (!isRedirect(r.status()) || location == null) {
                return r;
            }
            if (hop == MAX_REDIRECTS) {
                throw SiloException.of(ErrorCode.IO, first + ": more than " + MAX_REDIRECTS + " redirects");
            }
            URI next;
            try {
                next = uri.resolve(location.trim());
            } catch (IllegalArgumentException e) {
                throw SiloException.of(ErrorCode.IO, uri + ": a redirect to a bad URL: " + location);
            }
            if ("https".equals(uri.getScheme()) && !"https".equals(next.getScheme())) {
                throw SiloException.of(
                        ErrorCode.IO, uri + ": a redirect from https to " + next.getScheme() + " is not followed");
            }
            uri = next;
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** One request on one connection, to an address the policy allowed. */
    private Response once(URI uri, String method, long offset, int length) throws SiloException {
        boolean tls = "https".equals(uri.getScheme());
        if (!tls && !"http".equals(uri.getScheme())) {
            throw SiloException.invalid(
                    uri + ": only http:// and https:// URLs are fetched, not '" + uri.getScheme() + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw SiloException.invalid(uri + ": an http(s) URL names a host: http://HOST[:PORT]/PATH");
        }
        int port = uri.getPort() < 0 ? (tls ? 443 : 80) : uri.getPort();
        List<InetAddress> to = addresses.resolve(uri.getHost(), uri.toString());
        try (Socket s = connect(to, port, uri)) {
            Socket channel = tls ? startTls(s, uri.getHost(), port) : s;
            OutputStream out = channel.getOutputStream();
            out.write(request(uri, method, offset, length).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(channel.getInputStream(), 1 << 16);
            int status = statusLine(readLine(in, uri), uri);
            Map<String, String> headers = headers(in, uri);
            if (!method.equals("GET") || (status != 200 && status != 206)) {
                return new Response(status, headers, new byte[0]);
            }
            InputStream body = body(in, headers);
            if (status == 200 && !skip(body, offset)) {
                return new Response(status, headers, new byte[0]); // the whole body is shorter than offset
            }
            return new Response(status, headers, readUpTo(body, length));
        } catch (java.io.EOFException e) {
            throw SiloException.of(ErrorCode.IO, uri + ": the connection ended early");
        } catch (SocketTimeoutException e) {
            throw SiloException.of(ErrorCode.IO, uri + ": no answer within " + READ_MILLIS / 1000 + " s");
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, uri + ": " + e.getMessage());
        }
    }

    /** The first of the checked addresses that takes the connection. */
    private static Socket connect(List<InetAddress> to, int port, URI uri) throws IOException {
        IOException last = null;
        for (InetAddress a : to) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(a, port), CONNECT_MILLIS);
                s.setSoTimeout(READ_MILLIS);
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
            }
        }
        throw new IOException("cannot connect to " + uri.getHost() + " port " + port + ": "
                + (last == null ? "no address" : last.getMessage()));
    }

    private static Socket startTls(Socket plain, String host, int port) throws IOException {
        String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        SSLSocket s =
                (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, name, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the URL's host
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private static String request(URI uri, String method, long offset, int length) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        StringBuilder b = new StringBuilder(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\n")
                .append("Host: ")
                .append(uri.getHost())
                .append(uri.getPort() < 0 ? "" : ":" + uri.getPort())
                .append("\r\n")
                .append("User-Agent: silo-files\r\nAccept-Encoding: identity\r\nConnection: close\r\n");
        if (method.equals("GET")) {
            b.append("Range: bytes=")
                    .append(offset)
                    .append('-')
                    .append(offset + length - 1)
                    .append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static int statusLine(String line, URI uri) throws SiloException {
        String[] p = line.split(" ", 3);
        if (p.length < 2 || !p[0].startsWith("HTTP/1.") || !p[1].matches("[0-9]{3}")) {
            throw SiloException.of(ErrorCode.IO, uri + ": not an HTTP/1.x answer");
        }
        return Integer.parseInt(p[1]);
    }

    private static Map<String, String> headers(InputStream in, URI uri) throws IOException, SiloException {
        Map<String, String> h = new HashMap<>();
        int total = 0;
        for (String line = readLine(in, uri); !line.isEmpty(); line = readLine(in, uri)) {
            total += line.length();
            if (total > MAX_HEADER_BYTES) {
                throw SiloException.of(ErrorCode.IO, uri + ": headers over " + MAX_HEADER_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                h.merge(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        return h;
    }

    /** A line without its CRLF (or LF), as ISO-8859-1; at most 8 KiB. */
    private static String readLine(InputStream in, URI uri) throws IOException, SiloException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new java.io.EOFException();
            }
            if (b.size() >= 8192) {
                throw SiloException.of(ErrorCode.IO, uri + ": a header line over 8 KiB");
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static InputStream body(InputStream in, Map<String, String> headers) {
        if (headers.getOrDefault("transfer-encoding", "")
                .toLowerCase(Locale.ROOT)
                .contains("chunked")) {
            return new Chunked(in);
        }
        String length = headers.get("content-length");
        if (length != null && length.trim().matches("[0-9]{1,18}")) {
            return new Bounded(in, Long.parseLong(length.trim()));
        }
        return in; // to the end of the connection
    }

    /** Reads and drops {@code n} bytes; false when the body ends first. */
    private static boolean skip(InputStream in, long n) throws IOException {
        byte[] buf = new byte[1 << 16];
        for (long left = n; left > 0; ) {
            int got = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (got < 0) {
                return false;
            }
            left -= got;
        }
        return true;
    }

    /** Up to {@code max} bytes; fewer at the end of the body. Memory grows with what arrives, not with max. */
    private static byte[] readUpTo(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 1 << 16));
        byte[] buf = new byte[1 << 16];
        while (out.size() < max) {
            int n = in.read(buf, 0, Math.min(buf.length, max - out.size()));
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** A body of Content-Length bytes: the stream ends there. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int got = in.read(b, off, (int) Math.min(len, left));
            if (got > 0) {
                left -= got;
            }
            return got;
        }
    }

    /** Transfer-Encoding: chunked (RFC 9112 §7.1): size line, data, CRLF; a zero size ends it. */
    private static final class Chunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line();
                int semi = size.indexOf(';');
                try {
                    left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("a bad chunk size: " + size);
                }
                if (left <= 0) {
                    done = true;
                    return -1;
                }
            }
            int got = in.read(b, off, (int) Math.min(len, left));
            if (got < 0) {
                throw new java.io.EOFException();
            }
            left -= got;
            if (left == 0) {
                line(); // the CRLF after the data
            }
            return got;
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0 || s.length() > 1024) {
                    throw new IOException("a bad chunk");
                }
                s.append((char) c);
            }
            return s.toString().trim();
        }
    }
}
