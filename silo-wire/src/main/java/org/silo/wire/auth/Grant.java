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
        return (service.equals("*") || service.equals(onService))
                && object.startsWith(prefix)
                && right.includes(wanted);
    }

    /**
     * Parses SERVICE:PREFIX:RIGHT, e.g. "block:retro:write" or "archive::read". The service ends at the
     * first colon and the right starts after the last, so a prefix may hold colons itself, as the
     * archive's volume and mover objects do: "archive:vol:DEF001:write", "archive:mover::write".
     */
    public static Grant parse(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first <= 0 || last == first) {
            throw new IllegalArgumentException(
                    "a grant is SERVICE:PREFIX:RIGHT (e.g. block:retro:write), not '" + text + "'");
        }
        String right = text.substring(last + 1);
        Right r;
        try {
            r = Right.valueOf(right.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + right + "' is not a right: read, write or admin");
        }
        return new Grant(text.substring(0, first), text.substring(first + 1, last), r);
    }

    @Override
    public String toString() {
        return service + ":" + prefix + ":" + right.name().toLowerCase(java.util.Locale.ROOT);
    }
}
