package org.silo.server.access;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Right;
import org.silo.wire.auth.Scram;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.Service;

/** The {@link AccessOps} on the dispatcher: admins manage lists; a list may change its own password. */
public final class AccessService implements Service {
    static final String SERVICE = "access";
    private final ServerAccess access;

    public AccessService(ServerAccess access) {
        this.access = access;
    }

    @Override
    public void register(Dispatcher d) {
        AccessStore store = access.store();
        d.registerBlocking(AccessOps.USER_ADD, SERVICE, Right.ADMIN, (ctx, r) -> {
            Scram.Verifier v = verifier(r.verifier());
            return change(() -> store.add(r.name(), r.admin(), v, r.grants() == null ? List.of() : r.grants()));
        });
        d.registerBlocking(AccessOps.USER_PASSWD, (ctx, r) -> {
            if (!ctx.session().user().equals(r.name())) {
                ctx.require(SERVICE, r.name(), Right.ADMIN);
            }
            if (r.verifier() == null) {
                throw SiloException.invalid("a new password is needed");
            }
            Scram.Verifier v = verifier(r.verifier());
            return change(() -> store.passwd(r.name(), v));
        });
        d.registerBlocking(AccessOps.USER_RM, SERVICE, Right.ADMIN, (ctx, r) -> change(() -> store.remove(r.name())));
        d.registerBlocking(AccessOps.ACL_LIST, SERVICE, Right.READ, (ctx, none) -> {
            List<AccessOps.ListView> views = new ArrayList<>();
            for (AccessStore.Entry e : store.all()) {
                views.add(new AccessOps.ListView(e.name(), e.isProtected(), e.admin(), e.grants()));
            }
            return new AccessOps.Lists(views, access.anonymousGrants().toString());
        });
    }

    private static Scram.Verifier verifier(AccessOps.Verifier v) throws SiloException {
        if (v == null) {
            return null;
        }
        if (v.iterations() < Scram.MIN_ITERATIONS
                || v.salt() == null
                || v.salt().length < 8
                || v.storedKey() == null
                || v.storedKey().length != 32
                || v.serverKey() == null
                || v.serverKey().length != 32) {
            throw SiloException.invalid("a verifier needs a salt of 8+ bytes, 32-byte keys and at least "
                    + Scram.MIN_ITERATIONS + " iterations");
        }
        return new Scram.Verifier(v.salt(), v.iterations(), v.storedKey(), v.serverKey());
    }

    private interface Change {
        void run() throws IOException;
    }

    private static Void change(Change c) throws SiloException {
        try {
            c.run();
            return null;
        } catch (IllegalArgumentException e) {
            ErrorCode code = e.getMessage().contains("already exists")
                    ? ErrorCode.EXISTS
                    : e.getMessage().startsWith("no access list") ? ErrorCode.NOT_FOUND : ErrorCode.INVALID;
            throw SiloException.of(code, e.getMessage());
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "cannot write the access lists: " + e.getMessage());
        }
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lists", access.store().all().size());
        m.put("anonymous", access.anonymousGrants().toString());
        return m;
    }

    @Override
    public void close() {}
}
