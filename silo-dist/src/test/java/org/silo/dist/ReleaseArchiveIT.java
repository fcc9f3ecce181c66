package org.silo.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * silo-VERSION.tar.gz as a person uses it: unpacked into an empty directory, far from the checkout,
 * with no Maven on the PATH; its bin/silo runs a server and a put and a get against it.
 */
class ReleaseArchiveIT {
    static final Pattern READY = Pattern.compile("silo server ready: messages on ([^ ]+):(\\d+),");

    @TempDir
    Path dir;

    Path home;
    Path silo;
    Path work;
    Map<String, String> env;
    Process server;

    /** Unpacks the archive into dir/install and makes a PATH without mvn (every other tool kept). */
    @BeforeEach
    void unpack() throws Exception {
        Path install = Files.createDirectories(dir.resolve("install"));
        Release.ok(install, "tar", "xzf", Release.TARBALL.toString());
        Path root = install.resolve("silo-" + Release.VERSION);
        silo = root.resolve("bin/silo");
        home = Files.createDirectories(dir.resolve("home"));
        work = Files.createDirectories(dir.resolve("work"));
        Path bin = Files.createDirectories(dir.resolve("path"));
        for (String d : System.getenv("PATH").split(":")) {
            if (d.isEmpty() || !Files.isDirectory(Path.of(d))) {
                continue;
            }
            try (Stream<Path> tools = Files.list(Path.of(d))) {
                for (Path tool : tools.toList()) {
                    Path link = bin.resolve(tool.getFileName().toString());
                    if (!tool.getFileName().toString().startsWith("mvn")
                            && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, tool);
                    }
                }
            }
        }
        env = new HashMap<>(Map.of("PATH", bin.toString(), "HOME", home.toString()));
        assertThat(Release.run(work, env, "bash", "-c", "command -v mvn").exit())
                .as("no mvn on this PATH")
                .isNotZero();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroy();
            assertThat(server.waitFor(2, TimeUnit.MINUTES))
                    .as("the server stops on SIGTERM")
                    .isTrue();
        }
    }

    private Release.Done silo(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(silo.toString()));
        cmd.addAll(List.of(args));
        return Release.run(work, env, cmd.toArray(String[]::new));
    }

    @Test
    void holdsWhatItShould() {
        Path root = silo.getParent().getParent();
        assertThat(silo).isExecutable().hasSameBinaryContentAs(Release.ROOT.resolve("bin/silo"));
        assertThat(root.resolve("lib/silo.jar")).isRegularFile();
        assertThat(root.resolve("pom.xml")).doesNotExist();
        assertThat(root.resolve("silo-cli")).doesNotExist();
        for (String f : List.of(
                "README.md",
                "LICENSE",
                "docs/operations.md",
                "docs/configuration.md",
                "share/systemd/silo.service",
                "share/bash-completion/completions/silo")) {
            assertThat(root.resolve(f)).as(f).isRegularFile();
        }
        assertThat(root.resolve("LICENSE")).content().contains("Apache License", "Version 2.0");
        assertThat(root.resolve("silo.conf")).hasSameTextualContentAs(Release.TARGET.resolve("release/silo.conf"));
        if (Release.installed("asciidoctor")) {
            assertThat(root.resolve("share/man/man1/silo-put.1")).isRegularFile();
        }
    }

    @Test
    void exampleConfigurationHasEveryKeyAtItsDefault() throws IOException {
        String text = Files.readString(silo.getParent().getParent().resolve("silo.conf"));
        assertThat(ExampleConfigTest.settings(text))
                .containsExactlyInAnyOrderEntriesOf(org.silo.server.config.SiloConfig.DEFAULTS);
    }

    @Test
    @Timeout(600)
    void runsAServerAndAPutAndAGetWithoutMavenOrSources() throws Exception {
        Path notify = dir.resolve("notify");
        try (NotifyReceiver systemd = new NotifyReceiver(notify)) {
            env.put("NOTIFY_SOCKET", notify.toString());
            String at = startServer();
            env.remove("NOTIFY_SOCKET");
            // bin/silo execs java: the process systemd started is the one that says it is ready (NotifyAccess=main)
            assertThat(server.info().command().orElse("")).endsWith("/bin/java");
            await().atMost(Duration.ofMinutes(5))
                    .until(() -> systemd.received().contains("READY=1")); // a hang guard only

            byte[] bytes = new byte[300_000];
            new Random(19).nextBytes(bytes);
            Files.write(work.resolve("in.bin"), bytes);
            assertThat(silo("mkdir", "/rel", "--server=" + at).exit()).isZero();
            Release.Done put = silo("put", "in.bin", "/rel/", "--server=" + at);
            assertThat(put.exit()).as(put.output()).isZero();
            Release.Done get = silo("get", "/rel/in.bin", "out.bin", "--server=" + at);
            assertThat(get.exit()).as(get.output()).isZero();
            assertThat(work.resolve("out.bin")).hasBinaryContent(bytes);
        }
    }

    private String startServer() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(
                        silo.toString(),
                        "server",
                        "--data",
                        dir.resolve("data").toString(),
                        "--set",
                        "wire.port=0",
                        "--set",
                        "blockhead.port=0",
                        "--set",
                        "nbd.port=0",
                        "--set",
                        "control.port=0",
                        "--set",
                        "console.port=0")
                .directory(work.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        server = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = READY.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
                drain.setDaemon(true);
                drain.start();
                return m.group(1) + ":" + m.group(2);
            }
        }
        throw new AssertionError("the unpacked server never said it was ready:\n" + seen);
    }

    /**
     * The start-up cache of a release whose directory this user cannot write (as /usr/share/silo): made
     * in the user's own cache directory instead, and nothing written beside the jar. As root, whom file
     * modes do not stop, the command runs as nobody.
     */
    @Test
    @Timeout(600)
    void aReadOnlyInstallKeepsItsStartupCacheInTheUsersCacheDirectory() throws Exception {
        Path lib = silo.getParent().getParent().resolve("lib");
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            for (Path p = home; p != null; p = p.getParent()) { // nobody must reach the release and its home
                if (p.startsWith(dir)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            Release.ok(dir, "chown", "nobody", home.toString(), work.toString());
            cmd.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        } else {
            Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        cmd.add(silo.toString());
        cmd.add("--version");
        Release.Done version = Release.run(work, env, cmd.toArray(String[]::new));
        assertThat(version.exit()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("silo " + Release.VERSION);

        try (Stream<Path> beside = Files.list(lib)) {
            assertThat(beside.map(p -> p.getFileName().toString())).containsExactly("silo.jar");
        }
        Path caches = home.resolve(".cache/silo");
        try (Stream<Path> made = Files.walk(caches)) {
            assertThat(made.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.matches("silo-quick-\\d+\\.(aot|jsa)"));
        }
    }

    /** The receiving end of $NOTIFY_SOCKET, as systemd binds it: an AF_UNIX datagram socket. */
    static final class NotifyReceiver implements AutoCloseable {
        interface LibC extends Library {
            int socket(int domain, int type, int protocol) throws LastErrorException;

            int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

            long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

            int close(int fd) throws LastErrorException;
        }

        private static final LibC LIBC = Native.load("c", LibC.class);
        private static final int EAGAIN = 11;
        private final int fd;
        private final StringBuilder got = new StringBuilder();

        NotifyReceiver(Path path) throws IOException {
            fd = LIBC.socket(1, 2, 0);
            byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
            java.nio.ByteBuffer a =
                    java.nio.ByteBuffer.allocate(3 + name.length).order(java.nio.ByteOrder.nativeOrder());
            a.putShort((short) 1).put(name);
            LIBC.bind(fd, a.array(), a.capacity());
        }

        /** What has arrived so far, without waiting. */
        String received() {
            byte[] buf = new byte[4096];
            try {
                long n = LIBC.recv(fd, buf, buf.length, 0x40 /* MSG_DONTWAIT */);
                got.append(new String(buf, 0, (int) n, StandardCharsets.UTF_8)).append('\n');
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EAGAIN) {
                    throw e;
                }
            }
            return got.toString();
        }

        @Override
        public void close() {
            LIBC.close(fd);
        }
    }
}
