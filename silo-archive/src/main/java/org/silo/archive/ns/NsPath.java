package org.silo.archive.ns;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.silo.wire.SiloException;

/**
 * A checked namespace path: absolute, no NUL, no '.' or '..' component, components of 1..255 bytes,
 * at most 4096 bytes in all. Repeated and trailing slashes are dropped.
 */
public record NsPath(List<String> names) {
    public static final int MAX_NAME = 255;
    public static final int MAX_PATH = 4096;
    public static final NsPath ROOT = new NsPath(List.of());

    public NsPath {
        names = List.copyOf(names);
    }

    public static NsPath parse(String s) throws SiloException {
        if (s == null || s.isEmpty()) {
            throw SiloException.invalid("empty path: give an absolute path such as /data/file");
        }
        String shown = s.replace("\0", "\\0");
        if (s.indexOf('\0') >= 0) {
            throw SiloException.invalid("path '" + shown + "' contains a NUL character");
        }
        if (!s.startsWith("/")) {
            throw SiloException.invalid("path '" + shown + "' is not absolute: it must start with '/'");
        }
        if (s.getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
            throw SiloException.invalid("path is longer than " + MAX_PATH + " bytes");
        }
        List<String> out = new ArrayList<>();
        for (String n : s.split("/")) {
            if (n.isEmpty()) {
                continue;
            }
            if (n.equals("..") || n.equals(".")) {
                throw SiloException.invalid("path '" + shown + "' contains '" + n + "': give the path without it");
            }
            if (n.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
                throw SiloException.invalid("a name in path '" + shown + "' is longer than " + MAX_NAME + " bytes");
            }
            out.add(n);
        }
        return new NsPath(out);
    }

    public boolean isRoot() {
        return names.isEmpty();
    }

    public NsPath parent() {
        return isRoot() ? this : new NsPath(names.subList(0, names.size() - 1));
    }

    public String name() {
        return isRoot() ? "" : names.get(names.size() - 1);
    }

    /** Whether this path is {@code other} or lies under it. */
    public boolean within(NsPath other) {
        return names.size() >= other.names.size()
                && names.subList(0, other.names.size()).equals(other.names);
    }

    @Override
    public String toString() {
        return "/" + String.join("/", names);
    }
}
