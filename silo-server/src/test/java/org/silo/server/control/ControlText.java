package org.silo.server.control;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Seed 004's framing for tests that speak the control protocol as ncat would: a message, then CRLF CRLF. */
public final class ControlText {
    private ControlText() {}

    public static void send(OutputStream out, String message) throws Exception {
        out.write((message + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next message with its terminator (what arrived, if the connection ended first). */
    public static String read(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /** Sends a message and returns the answer without its terminator. */
    public static String ask(InputStream in, OutputStream out, String message) throws Exception {
        send(out, message);
        return strip(read(in));
    }

    public static String strip(String message) {
        return message.endsWith("\r\n\r\n") ? message.substring(0, message.length() - 4) : message;
    }
}
