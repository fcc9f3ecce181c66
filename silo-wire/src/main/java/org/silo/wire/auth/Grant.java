package org.silo.wire.auth;

import java.util.Objects;

/**
 * A right on the objects of a service whose names start with a prefix: {@code block:retro:write} is
 * WRITE on images named retro*, {@code archive:/home/alice/:read} READ under that path,
 * {@code *::admin} everything.
 *
 * @param service a service name, or "*" for every service
 * @param prefix  object names starting with this ("" for all)
 */
public record Grant(String service, String prefix, Right right) {

    public Grant {
        Objects.requireNonNull(service);
        Objects.requireNonNull(prefix);
        Objects.requireNonNull(right);
    }

    public static final Grant ALL = new Grant("*", "", Right.ADMIN);

    public boolean allows(String onService, String object, Right wanted) {
        return (service.equals("*") || service.equals(onService)) && object.startsWith(prefix) && right.includes(wanted);
    }

    /** Parses SERVICE:PREFIX:RIGHT, e.g. "block:retro:write" or "archive::read". */
    public static Grant parse(String text) {
        String[] p = text.split(":", 3);
        if (p.length != 3 || p[0].isEmpty()) {
            throw new IllegalArgumentException("a grant is SERVICE:PREFIX:RIGHT (e.g. block:retro:write), not '" + text + "'");
        }
        Right r;
        try {
            r = Right.valueOf(p[2].toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + p[2] + "' is not a right: read, write or admin");
        }
        return new Grant(p[0], p[1], r);
    }

    @Override
    public String toString() {
        return service + ":" + prefix + ":" + right.name().toLowerCase(java.util.Locale.ROOT);
    }
}
