package org.silo.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads a password: the first line of stdin (--password-stdin), or asked on the terminal without echo. */
final class Passwords {
    private Passwords() {}

    static char[] read(boolean fromStdin, String prompt, boolean confirm) throws IOException {
        if (fromStdin) {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new IllegalArgumentException("--password-stdin: no password on standard input");
            }
            return line.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no terminal to ask for the password on: use --password-stdin");
        }
        char[] pw = console.readPassword("%s: ", prompt);
        if (pw == null || pw.length == 0) {
            throw new IllegalArgumentException("an empty password is not allowed");
        }
        if (confirm && !Arrays.equals(pw, console.readPassword("again: "))) {
            throw new IllegalArgumentException("the two passwords differ");
        }
        return pw;
    }
}
