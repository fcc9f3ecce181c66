package org.silo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.silo.wire.auth.Scram;

/**
 * Saved logins, one per server, in {@code $XDG_CONFIG_HOME/silo/logins.json} (or {@code ~/.config/silo}),
 * mode 0600. What is saved is SCRAM's ClientKey and ServerKey (RFC 5802 §5.1), never the password: they
 * log in again without it, and stop working when the password changes.
 */
final class Logins {
    record Saved(String list, byte[] salt, int iterations, byte[] clientKey, byte[] serverKey) {
        Scram.Keys keys() {
            return new Scram.Keys(salt, iterations, clientKey, serverKey);
        }
    }

    record FileFormat(Map<String, Saved> servers) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static Path directory() {
        String override = System.getProperty("silo.config.home");
        if (override != null) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config"))
                .resolve("silo");
    }

    static Path file() {
        return directory().resolve("logins.json");
    }

    static Map<String, Saved> load() throws IOException {
        Path f = file();
        if (!Files.exists(f)) {
            return new TreeMap<>();
        }
        FileFormat ff = JSON.readValue(f.toFile(), FileFormat.class);
        return ff.servers() == null ? new TreeMap<>() : new TreeMap<>(ff.servers());
    }

    /**
     * The login saved for {@code server} as written; for a list ({@code db1:7400,db2:7400}), else the first
     * saved for one of its servers. The servers of one list share their access lists (one catalog), so the
     * keys of one work on the others, which is what the client's new session after a move uses anyway.
     */
    static Optional<Saved> forServer(String server) throws IOException {
        Map<String, Saved> all = load();
        Saved exact = all.get(server);
        if (exact != null || server.indexOf(',') < 0) {
            return Optional.ofNullable(exact);
        }
        for (String one : server.split(",")) {
            Saved s = all.get(one.strip());
            if (s != null) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    static void save(String server, Saved saved) throws IOException {
        Map<String, Saved> all = load();
        all.put(server, saved);
        write(all);
    }

    static boolean remove(String server) throws IOException {
        Map<String, Saved> all = load();
        boolean had = all.remove(server) != null;
        write(all);
        return had;
    }

    private static void write(Map<String, Saved> all) throws IOException {
        Path dir = directory();
        if (!Files.exists(dir)) {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = dir.resolve("logins.json.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, JSON.writeValueAsBytes(new FileFormat(all)));
        Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
