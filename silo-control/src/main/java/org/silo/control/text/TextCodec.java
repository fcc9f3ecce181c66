package org.silo.control.text;

import static org.silo.control.text.TextConstants.BLANK_LINE;
import static org.silo.control.text.TextConstants.CRLF;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Text of one message (without its terminator) to a {@link TextMessage} and back. Stateless. */
public final class TextCodec {
    private TextCodec() {}

    /**
     * Parses one message; an empty verb, or one holding a space, is the caller's to refuse. Only the verb is
     * upper-cased: a person at ncat who types {@code whatis file /exp/x} with spaces gets a first field of
     * {@code WHATIS file /exp/x}, the path as typed, for the session to answer that fields take tabs.
     */
    public static TextMessage parse(String text) {
        String[] rawLines = text.split("\r?\n", -1);
        List<List<String>> lines = new ArrayList<>();
        for (String raw : rawLines) {
            String line = raw.equals(BLANK_LINE) ? "" : raw;
            lines.add(Arrays.asList(line.split("\t", -1)));
        }
        List<String> first = lines.get(0);
        return new TextMessage(verb(first.get(0)), first.subList(1, first.size()), lines.subList(1, lines.size()));
    }

    private static String verb(String field) {
        String f = field.strip();
        int space = f.indexOf(' ');
        return space < 0
                ? f.toUpperCase(Locale.ROOT)
                : f.substring(0, space).toUpperCase(Locale.ROOT) + f.substring(space);
    }

    /** The message with its terminator; tabs and line ends inside fields become spaces. */
    public static String encode(TextMessage m) {
        StringBuilder b = new StringBuilder();
        b.append(clean(m.verb()));
        for (String f : m.fields()) {
            b.append('\t').append(clean(f));
        }
        for (List<String> line : m.lines()) {
            b.append(CRLF);
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                if (i > 0) {
                    l.append('\t');
                }
                l.append(clean(line.get(i)));
            }
            b.append(l.isEmpty() ? BLANK_LINE : l);
        }
        return b.append(TextConstants.TERMINATOR).toString();
    }

    private static String clean(String field) {
        return field.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ');
    }
}
