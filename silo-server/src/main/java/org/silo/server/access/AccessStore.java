package org.silo.server.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.auth.Grant;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Scram;

/**
 * The access lists, kept in {@code <data>/access.json} (mode 0600): per list, its SCRAM verifier (salt,
 * iterations, StoredKey, ServerKey; never a password) and its grants. Every change is written to a
 * temporary file, forced to disk and renamed over the old one, so a crash leaves the old or the new
 * file, never half of one. Thread-safe.
 */
public final class AccessStore {
    /** One list as stored. Byte arrays are base64 in the JSON. */
    public record Entry(
            String name,
            boolean admin,
            byte[] salt,
            int iterations,
            byte[] storedKey,
            byte[] serverKey,
            List<String> grants) {
        boolean isProtected() {
            return storedKey != null;
        }

        Authenticator.AccessList toAccessList() {
            List<Grant> g = new ArrayList<>();
            if (admin) {
                g.add(Grant.ALL);
            }
            for (String text : grants) {
                g.add(Grant.parse(text));
            }
            Scram.Verifier v = isProtected() ? new Scram.Verifier(salt, iterations, storedKey, serverKey) : null;
            return new Authenticator.AccessList(name, v, new Grants(g));
        }
    }

    record FileFormat(Map<String, Entry> lists) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path file;
    private final Map<String, Entry> lists;

    private AccessStore(Path file, Map<String, Entry> lists) {
        this.file = file;
        this.lists = lists;
    }

    public static AccessStore open(Path dataDir) throws IOException {
        Path file = dataDir.resolve("access.json");
        Map<String, Entry> lists = new TreeMap<>();
        if (Files.exists(file)) {
            FileFormat f = JSON.readValue(file.toFile(), FileFormat.class);
            if (f.lists() != null) {
                lists.putAll(f.lists());
            }
        }
        return new AccessStore(file, lists);
    }

    public synchronized Optional<Authenticator.AccessList> find(String name) {
        return Optional.ofNullable(lists.get(name)).map(Entry::toAccessList);
    }

    public synchronized List<Entry> all() {
        return List.copyOf(lists.values());
    }

    public synchronized boolean isEmpty() {
        return lists.isEmpty();
    }

    /** Adds a list; {@code verifier} null makes it unprotected. */
    public synchronized void add(String name, boolean admin, Scram.Verifier verifier, List<String> grants)
            throws IOException {
        checkName(name);
        for (String g : grants) {
            Grant.parse(g); // refuses a malformed grant before anything is written
        }
        if (lists.containsKey(name)) {
            throw new IllegalArgumentException("access list '" + name + "' already exists");
        }
        if (admin && verifier == null) {
            throw new IllegalArgumentException("an admin list needs a password");
        }
        Map<String, Entry> next = new TreeMap<>(lists);
        next.put(name, entry(name, admin, verifier, grants));
        save(next);
    }

    public synchronized void passwd(String name, Scram.Verifier verifier) throws IOException {
        Entry e = existing(name);
        Map<String, Entry> next = new TreeMap<>(lists);
        next.put(name, entry(name, e.admin(), verifier, e.grants()));
        save(next);
    }

    public synchronized void remove(String name) throws IOException {
        existing(name);
        Map<String, Entry> next = new TreeMap<>(lists);
        next.remove(name);
        save(next);
    }

    private Entry existing(String name) {
        Entry e = lists.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no access list named '" + name + "'");
        }
        return e;
    }

    private static Entry entry(String name, boolean admin, Scram.Verifier v, List<String> grants) {
        return v == null
                ? new Entry(name, admin, null, 0, null, null, List.copyOf(grants))
                : new Entry(name, admin, v.salt(), v.iterations(), v.storedKey(), v.serverKey(), List.copyOf(grants));
    }

    static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
            throw new IllegalArgumentException(
                    "an access list name is 1..64 of A-Z a-z 0-9 . _ @ -, not '" + name + "'");
        }
    }

    private void save(Map<String, Entry> next) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, JSON.writeValueAsBytes(new FileFormat(next)), StandardOpenOption.TRUNCATE_EXISTING);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        lists.clear();
        lists.putAll(next);
    }
}
