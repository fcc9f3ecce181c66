package org.silo.archive.aggregate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The last member of every container: what it holds, in a form a person (or a script rebuilding a
 * lost catalog) can read without Silo, as Enstore's README.1st and HTAR's consistency file do. UTF-8
 * text, tab-separated, one line per member after a header line:
 *
 * <pre>
 * # silo container	1	VOLUME	COOKIE	MEMBERS
 * DATA-OFFSET	SIZE	ADLER32	HASH or -	OWNER	NAME
 * </pre>
 *
 * <p>NAME is the member's namespace path without its leading '/' (the member's tar name too).
 * Backslash, tab, newline and carriage return in OWNER and NAME are written {@code \\ \t \n \r}.
 */
public final class Manifest {
    private Manifest() {}

    public static final String MAGIC = "# silo container";
    public static final int VERSION = 1;

    /** The manifest's tar name, e.g. {@code .silo-manifest-0000042.tsv}. */
    public static String name(String cookie) {
        return ".silo-manifest-" + cookie.substring(cookie.lastIndexOf('_') + 1) + ".tsv";
    }

    /** Whether a tar member name is a manifest's. */
    public static boolean isManifest(String name) {
        return name.startsWith(".silo-manifest-") && name.endsWith(".tsv");
    }

    static byte[] format(String volume, String cookie, List<ContainerWriter.Member> members) {
        StringBuilder s = new StringBuilder();
        s.append(MAGIC)
                .append('\t')
                .append(VERSION)
                .append('\t')
                .append(escape(volume))
                .append('\t')
                .append(cookie)
                .append('\t')
                .append(members.size())
                .append('\n');
        for (ContainerWriter.Member m : members) {
            s.append(m.dataOffset())
                    .append('\t')
                    .append(m.size())
                    .append('\t')
                    .append(m.adler32())
                    .append('\t')
                    .append(m.hash() == null ? "-" : m.hash())
                    .append('\t')
                    .append(escape(m.owner() == null ? "" : m.owner()))
                    .append('\t')
                    .append(escape(m.name()))
                    .append('\n');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A manifest line read back. */
    public record Entry(long dataOffset, long size, String adler32, String hash, String owner, String name) {}

    /** Parses a manifest; lines that do not parse are skipped (the members' own headers still list them). */
    public static List<Entry> parse(byte[] text) {
        List<Entry> out = new ArrayList<>();
        String[] lines = new String(text, StandardCharsets.UTF_8).split("\n");
        if (lines.length == 0 || !lines[0].startsWith(MAGIC + "\t")) {
            return out;
        }
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split("\t", -1);
            if (f.length != 6) {
                continue;
            }
            try {
                out.add(new Entry(
                        Long.parseLong(f[0]),
                        Long.parseLong(f[1]),
                        f[2],
                        f[3].equals("-") ? null : f[3],
                        unescape(f[4]),
                        unescape(f[5])));
            } catch (NumberFormatException e) {
                // a damaged line: skipped
            }
        }
        return out;
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(
                        switch (n) {
                            case 't' -> '\t';
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            default -> n;
                        });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
