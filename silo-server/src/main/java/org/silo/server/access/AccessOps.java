package org.silo.server.access;

import java.util.List;
import org.silo.wire.op.Codecs;
import org.silo.wire.op.Operation;

/**
 * Service 0x07: managing the access lists through the server (admin). Passwords never travel: the
 * client computes the SCRAM verifier and sends that. CBOR records.
 *
 * <pre>
 * 0x0701 user_add     {name, admin, grants:[text], verifier?}   (empty)
 * 0x0702 user_passwd  {name, verifier}                          (empty)   admin, or the list itself
 * 0x0703 user_rm      {name}                                    (empty)
 * 0x0704 acl_list     (empty)                                   {lists:[{name, protected, admin, grants}], anonymous}
 * verifier = {salt, iterations, storedKey, serverKey} (bytes)
 * </pre>
 */
public final class AccessOps {
    private AccessOps() {}

    public record Verifier(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {}

    public record AddUser(String name, boolean admin, List<String> grants, Verifier verifier) {}

    public record Passwd(String name, Verifier verifier) {}

    public record Name(String name) {}

    public record ListView(String name, boolean isProtected, boolean admin, List<String> grants) {}

    public record Lists(List<ListView> lists, String anonymous) {}

    public static final Operation<AddUser, Void> USER_ADD =
            new Operation<>(0x0701, "user_add", Codecs.cbor(AddUser.class), Codecs.EMPTY);
    public static final Operation<Passwd, Void> USER_PASSWD =
            new Operation<>(0x0702, "user_passwd", Codecs.cbor(Passwd.class), Codecs.EMPTY);
    public static final Operation<Name, Void> USER_RM =
            new Operation<>(0x0703, "user_rm", Codecs.cbor(Name.class), Codecs.EMPTY);
    public static final Operation<Void, Lists> ACL_LIST =
            new Operation<>(0x0704, "acl_list", Codecs.EMPTY, Codecs.cbor(Lists.class));
}
