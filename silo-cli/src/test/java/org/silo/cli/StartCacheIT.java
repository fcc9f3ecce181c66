package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/silo's start-up cache (docs/architecture.md, "The launcher"), on a copy of bin/silo and the built
 * jar in a directory of its own: a cache never changes what a command prints, a stale or damaged one is
 * ignored quietly, and two first runs at once both work and leave one cache. Nothing here is timed.
 */
class StartCacheIT {
    private static final Path ROOT =
            Path.of(System.getProperty("silo.root", "..")).toAbsolutePath().normalize();
    private static final String JAVA_HOME = System.getProperty("java.home");

    private Path silo;
    private Path target;
    private Path jar;

    @BeforeEach
    void copyLauncherAndJar(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("bin"));
        target = Files.createDirectories(root.resolve("silo-cli/target"));
        silo = Files.copy(ROOT.resolve("bin/silo"), root.resolve("bin/silo"), StandardCopyOption.COPY_ATTRIBUTES);
        jar = Files.copy(
                ROOT.resolve("silo-cli/target/silo.jar"),
                target.resolve("silo.jar"),
                StandardCopyOption.COPY_ATTRIBUTES);
    }

    record Run(int exit, String out, String err) {}

    private Run silo(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(silo.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SILO_JAVA_HOME", JAVA_HOME); // the JDK the checks below use too
        pb.environment().remove("SILO_JAVA_OPTS");
        pb.environment().remove("SILO_AOT");
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    private Run silo(String... args) throws Exception {
        return silo(Map.of(), args);
    }

    /** What the command prints with no cache at all: what it must print with one, and with a bad one. */
    private Run uncached(String... args) throws Exception {
        return silo(Map.of("SILO_AOT", "0"), args);
    }

    /** The short commands' caches. */
    private List<Path> caches() throws IOException {
        return caches("quick");
    }

    /** The caches of one flavour: quick (short commands), transfer (put, get, file, backup, restore) or bulk (ping). */
    private List<Path> caches(String flavour) throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("silo-" + flavour + "-\\d+\\.(aot|jsa)"))
                    .toList();
        }
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches(".*\\.(tmp|config|failed)"))
                    .toList();
        }
    }

    /**
     * Whether the JVM takes Silo's own classes from a cache: it says where each class came from. A
     * cache made for another jar still serves the JDK's classes, never the jar's.
     */
    private boolean servesSiloClasses(Path cache) throws Exception {
        String java = Path.of(JAVA_HOME, "bin", "java").toString();
        String use = cache.toString().endsWith(".aot") ? "-XX:AOTCache=" + cache : "-XX:SharedArchiveFile=" + cache;
        Process p = new ProcessBuilder(
                        java,
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-XX:-UsePerfData",
                        use,
                        "-Xlog:class+load=info",
                        "-jar",
                        jar.toString(),
                        "--version")
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(log).contains("org.silo.cli.Main source:");
        return log.contains("org.silo.cli.Main source: shared objects file");
    }

    /**
     * A failure's message with its numbers set aside: how many datagrams went out within the timeout
     * depends on the machine's speed, not on the cache.
     */
    private static Run countsAside(Run r) {
        return new Run(
                r.exit(), r.out(), r.err().replaceAll("\\d+(\\.\\d+)?", "N").replace("transmissions", "transmission"));
    }

    /** A client command's quick failure: nothing listens on port 1. */
    private static final String[] LS_NOWHERE = {"ls", "/", "--server=127.0.0.1:1", "--timeout=1s", "--retries=0"};

    @Test
    @Timeout(900)
    void theFirstRunMakesOneCacheThatServesSiloAndNoOutputChanges() throws Exception {
        Run plain = uncached("--version");
        assertThat(plain.exit()).isZero();
        assertThat(plain.out()).matches("silo \\S+ \\(Java \\S+; catalog schema \\d+\\)\n");
        assertThat(plain.err()).isEmpty();
        assertThat(caches()).as("SILO_AOT=0 makes no cache").isEmpty();

        assertThat(silo("--version")).isEqualTo(plain);
        assertThat(caches()).hasSize(1);
        assertThat(servesSiloClasses(caches().get(0))).isTrue();
        assertThat(leftovers()).isEmpty();

        assertThat(silo("--version")).isEqualTo(plain);
        assertThat(silo("--help")).isEqualTo(uncached("--help"));
        Run failure = uncached(LS_NOWHERE);
        assertThat(failure.exit()).isEqualTo(3);
        assertThat(failure.err()).contains("no answer from 127.0.0.1:1");
        assertThat(countsAside(silo(LS_NOWHERE))).isEqualTo(countsAside(failure));
    }

    @Test
    @Timeout(900)
    void aChangedOrTouchedJarGetsANewCacheAndTheOldOneGoes() throws Exception {
        Run plain = uncached("--version");
        assertThat(silo("--version")).isEqualTo(plain);
        Path first = caches().get(0);

        // a rebuild: the jar is newer; the next run makes a cache for it and drops the old one
        Files.setLastModifiedTime(
                jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 10_000));
        assertThat(silo("--version")).isEqualTo(plain);
        assertThat(caches()).hasSize(1).doesNotContain(first);
        Path touched = caches().get(0);

        // a jar whose contents changed (the key, not the JVM, keeps a cache to its jar: JDK 25 would
        // serve a changed jar the classes of the old one)
        try (FileSystem zip = FileSystems.newFileSystem(jar)) {
            Files.writeString(zip.getPath("silo-start-cache-it.txt"), "a different jar");
        }
        assertThat(silo("--version")).isEqualTo(plain);
        assertThat(caches()).hasSize(1).doesNotContain(first, touched);
        assertThat(servesSiloClasses(caches().get(0))).isTrue();
        assertThat(countsAside(silo(LS_NOWHERE))).isEqualTo(countsAside(uncached(LS_NOWHERE)));
    }

    @Test
    @Timeout(900)
    void aDamagedCacheIsIgnoredQuietly() throws Exception {
        Run plain = uncached("--version");
        assertThat(silo("--version")).isEqualTo(plain);
        Path cache = caches().get(0);
        long size = Files.size(cache);

        try (var ch = java.nio.channels.FileChannel.open(cache, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        assertThat(silo("--version")).isEqualTo(plain);
        assertThat(silo("--help")).isEqualTo(uncached("--help"));

        byte[] garbage = new byte[4096];
        new java.util.Random(14).nextBytes(garbage);
        Files.write(cache, garbage);
        assertThat(silo("--version")).isEqualTo(plain);
        assertThat(countsAside(silo(LS_NOWHERE))).isEqualTo(countsAside(uncached(LS_NOWHERE)));
    }

    /**
     * The three kinds of client command (bin/silo: quick, transfer for put and get, bulk for ping) run with
     * different JVM flags, so none can use another's cache (a cache serves only the flags it was made
     * with): each gets one of its own, and they live side by side; a new one replaces only its own kind's.
     */
    @Test
    @Timeout(900)
    void eachKindOfCommandHasACacheOfItsOwnBesideTheOthers() throws Exception {
        Run plain = uncached("--version");
        assertThat(silo("--version")).isEqualTo(plain);
        Run getHelp = uncached("get", "--help");
        assertThat(getHelp.exit()).isZero();
        assertThat(silo("get", "--help")).isEqualTo(getHelp);
        assertThat(caches("transfer")).hasSize(1);
        assertThat(caches("quick")).as("the short commands' cache stays").hasSize(1);
        assertThat(silo("put", "--help")).isEqualTo(uncached("put", "--help"));
        assertThat(silo("ping", "--help")).isEqualTo(uncached("ping", "--help"));
        assertThat(silo("--version")).isEqualTo(plain);
        assertThat(caches("transfer")).as("put shares get's cache").hasSize(1);
        assertThat(caches("bulk")).hasSize(1);
        assertThat(caches("quick")).hasSize(1);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    @Timeout(900)
    void twoFirstRunsAtOnceBothWorkAndLeaveOneWorkingCache() throws Exception {
        Run plain = uncached("--version");
        CompletableFuture<Run> a = CompletableFuture.supplyAsync(() -> quietly("--version"));
        CompletableFuture<Run> b = CompletableFuture.supplyAsync(() -> quietly("--version"));
        assertThat(a.get()).isEqualTo(plain);
        assertThat(b.get()).isEqualTo(plain);
        assertThat(caches()).hasSize(1);
        assertThat(servesSiloClasses(caches().get(0))).isTrue();
        assertThat(leftovers()).isEmpty();
        assertThat(silo("--version")).isEqualTo(plain);
        assertThat(caches()).hasSize(1);
    }

    private Run quietly(String... args) {
        try {
            return silo(args);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
