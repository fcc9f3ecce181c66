package org.silo.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL server of the test's own: {@code initdb} into a fresh directory, then {@code postgres}
 * listening on one address (behind a command prefix such as {@code ip netns exec HOST}), trust
 * authentication for {@code 10.77.0.0/24}, as user {@code postgres} (it refuses to run as root). The
 * machine's own PostgreSQL listens on 127.0.0.1 of the root namespace, which a namespace host cannot
 * reach; a forwarder into the namespace would be a part no real site has, so the database host runs a
 * server of its own. Skipped, saying why, where the Debian PostgreSQL binaries or the
 * {@code postgres} user are missing.
 */
final class PostgresProcess implements AutoCloseable {
    private static final String READY = "database system is ready to accept connections";

    private final Process process;
    private final Path dir;
    private final String address;

    private PostgresProcess(Process process, Path dir, String address) {
        this.process = process;
        this.dir = dir;
        this.address = address;
    }

    /** A new cluster listening on {@code address}:5432, started behind {@code prefix}; ready when it says so. */
    static PostgresProcess start(String address, List<String> prefix) throws IOException, InterruptedException {
        Path bin = binaries();
        UserPrincipal postgres;
        try {
            postgres =
                    Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        } catch (IOException e) {
            Assumptions.abort("no 'postgres' user to run a PostgreSQL server as");
            throw e;
        }
        // not under the test's @TempDir: that is root's, mode 0700, and postgres must reach its directory
        Path dir = Files.createTempDirectory("silo-pg");
        Files.setOwner(dir, postgres);
        Path data = dir.resolve("data");
        run(List.of(
                "setpriv",
                "--reuid=postgres",
                "--regid=postgres",
                "--clear-groups",
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8"));
        Files.writeString(
                data.resolve("pg_hba.conf"),
                "host all all 10.77.0.0/24 trust\n",
                java.nio.file.StandardOpenOption.APPEND);
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(
                "setpriv",
                "--reuid=postgres",
                "--regid=postgres",
                "--clear-groups",
                bin.resolve("postgres").toString(),
                "-D",
                data.toString(),
                "-c",
                "listen_addresses=" + address,
                "-p",
                "5432",
                "-c",
                "unix_socket_directories=" + dir));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.contains(READY)) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
                drain.setDaemon(true);
                drain.start();
                return new PostgresProcess(p, dir, address);
            }
        }
        p.destroyForcibly().waitFor();
        delete(dir);
        throw new IOException("postgres ended before it was ready:\n" + seen);
    }

    /** A catalog setting for Silo: the cluster's {@code postgres} database, as user postgres. */
    String jdbc() {
        return "jdbc:postgresql://" + address + ":5432/postgres?user=postgres";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroyForcibly().waitFor();
        delete(dir);
    }

    /** The newest of Debian's /usr/lib/postgresql/VERSION/bin. */
    private static Path binaries() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        Path bin = null;
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                bin = versions.map(v -> v.resolve("bin"))
                        .filter(b ->
                                Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> versionOf(b.getParent())))
                        .orElse(null);
            }
        }
        Assumptions.assumeTrue(bin != null, "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin");
        return bin;
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ":\n" + out);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
