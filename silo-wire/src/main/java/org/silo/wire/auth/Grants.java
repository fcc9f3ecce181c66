package org.silo.wire.auth;

import java.util.List;
import java.util.stream.Collectors;

/** The rights a session holds: a list of {@link Grant}s, any of which may allow an action. */
public record Grants(List<Grant> grants) {

    public Grants {
        grants = List.copyOf(grants);
    }

    public static final Grants NONE = new Grants(List.of());
    public static final Grants ALL = new Grants(List.of(Grant.ALL));
    public static final Grants READ = new Grants(List.of(new Grant("*", "", Right.READ)));

    public boolean allows(String service, String object, Right right) {
        for (Grant g : grants) {
            if (g.allows(service, object, right)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return grants.isEmpty() ? "none" : grants.stream().map(Grant::toString).collect(Collectors.joining(", "));
    }
}
