package org.silo.control.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A person at ncat, in code: writes raw text, reads whole messages. */
final class TextClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    TextClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000); // a ceiling: a busy machine may take seconds to answer
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes as they are, e.g. ones that are not UTF-8. */
    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** How long a read waits before it fails the test (5 s unless set). */
    void timeout(java.time.Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
    }

    /** Sends one message: fields joined by tabs, ended by CRLF CRLF. */
    TextMessage ask(String... fields) throws IOException {
        send(String.join("\t", fields) + "\r\n\r\n");
        return read();
    }

    /** The next whole message, or null at end of stream. */
    TextMessage read() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                return TextCodec.parse(new String(b.substring(0, b.length() - 4).getBytes(StandardCharsets.ISO_8859_1),
                        StandardCharsets.UTF_8));
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
