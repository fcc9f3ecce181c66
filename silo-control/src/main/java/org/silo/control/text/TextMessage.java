package org.silo.control.text;

import java.util.ArrayList;
import java.util.List;

/**
 * One message: the verb and the fields of its first line, and the further lines as field lists.
 *
 * <pre>{@code
 * TextMessage.of("INFO", "image", "retro").line("sizeBytes", "67108864")
 * }</pre>
 */
public record TextMessage(String verb, List<String> fields, List<List<String>> lines) {

    public TextMessage {
        fields = List.copyOf(fields);
        lines = lines.stream().map(List::copyOf).toList();
    }

    public static TextMessage of(String verb, Object... fields) {
        List<String> f = new ArrayList<>();
        for (Object o : fields) {
            f.add(String.valueOf(o));
        }
        return new TextMessage(verb, f, List.of());
    }

    /** This message with one more line. */
    public TextMessage line(Object... fields) {
        List<String> f = new ArrayList<>();
        for (Object o : fields) {
            f.add(String.valueOf(o));
        }
        List<List<String>> more = new ArrayList<>(lines);
        more.add(f);
        return new TextMessage(verb, this.fields, more);
    }

    public String field(int i) {
        return i < fields.size() ? fields.get(i) : "";
    }

    public static TextMessage error(int code, String text) {
        return of(TextConstants.ERROR, code, text);
    }
}
