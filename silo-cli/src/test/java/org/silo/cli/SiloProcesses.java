package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.silo.server.TestSilo;

/**
 * {@code bin/silo} as real processes for the end-to-end tests: a server on a data directory (started,
 * killed, started again on the same port), commands run to their end, commands left running with
 * their output collected line by line. Close it to kill whatever still runs.
 */
final class SiloProcesses implements AutoCloseable {
    static final Path ROOT =
            Path.of(System.getProperty("silo.root", "..")).toAbsolutePath().normalize();
    static final Path SILO = ROOT.resolve("bin/silo");
    static final Pattern READY = Pattern.compile("silo server ready: messages on ([^ ]+):(\\d+),");
    static final Duration CEILING = Duration.ofMinutes(5);
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final List<String> prefix;
    private final Map<String, String> env;
    private final List<Process> running = new ArrayList<>();
    Process server;
    String at;
    /** The server's ready line: "silo server ready: messages on HOST:PORT, Blockhead N/udp, NBD N, ...". */
    String ready;

    SiloProcesses(Path dir) {
        this(dir, List.of(), Map.of());
    }

    /**
     * Every process started behind {@code prefix} (e.g. {@code ip netns exec HOST}, {@link NetnsHosts})
     * with {@code env} added to its environment.
     */
    SiloProcesses(Path dir, List<String> prefix, Map<String, String> env) {
        this.dir = dir;
        this.prefix = prefix;
        this.env = env;
    }

    private ProcessBuilder builder(List<String> cmd) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(cmd);
        ProcessBuilder b = new ProcessBuilder(all);
        b.environment().putAll(env);
        return b;
    }

    /** bin/silo server on {@code dir/silo-data}, messages on {@code port} (0: any), the other ports any, and {@code settings}. */
    void startServer(int port, String... settings) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                SILO.toString(), "server", "--data", dir.resolve("silo-data").toString()));
        List<String> all = new ArrayList<>(List.of("wire.port=" + port));
        all.addAll(List.of(settings));
        cmd.addAll(TestSilo.serverArgs(all.toArray(String[]::new)));
        server = builder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = READY.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
                drain.setDaemon(true);
                drain.start();
                at = m.group(1) + ":" + m.group(2);
                ready = line;
                return;
            }
        }
        throw new AssertionError("the server never said it was ready:\n" + seen);
    }

    /** The server's NBD port, from its ready line. */
    int nbdPort() {
        Matcher m = Pattern.compile("NBD (\\d+)").matcher(ready);
        assertThat(m.find()).as(ready).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** The server's Blockhead port, from its ready line. */
    int blockheadPort() {
        Matcher m = Pattern.compile("Blockhead (\\d+)/udp").matcher(ready);
        assertThat(m.find()).as(ready).isTrue();
        return Integer.parseInt(m.group(1));
    }

    int port() {
        return Integer.parseInt(at.substring(at.lastIndexOf(':') + 1));
    }

    /** A clean stop: SIGTERM, as systemd and Ctrl-C stop it; the server closes everything first. */
    void stopServer() throws InterruptedException {
        server.destroy();
        server.waitFor();
    }

    /** kill -9 of the server. */
    void killServer() throws InterruptedException {
        server.destroyForcibly().waitFor();
    }

    /** A command run to its end: exit status and standard output (standard error goes to commands.err). */
    record Done(int exit, String output) {}

    Done run(String... args) throws Exception {
        return runWithInput("", args);
    }

    /** As {@link #run}, with {@code input} on its standard input (a password for --password-stdin). */
    Done runWithInput(String input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SILO.toString()));
        cmd.addAll(List.of(args));
        cmd.add("--server=" + at);
        Process p = builder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("commands.err").toFile()))
                .start();
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(CEILING.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return new Done(p.exitValue(), text);
    }

    /** A command running in the background, its standard output collected line by line as it comes. */
    record Running(Process process, List<String> out, List<String> err) {}

    /**
     * {@code bin/silo ARGS} started as a person starts it at a terminal: with Ctrl-C (SIGINT) at its
     * default. A process inherits an ignored SIGINT (a build started in the background by a
     * non-interactive shell has it so, and the JVM then never installs its handler: Ctrl-C is lost on
     * the put), so coreutils' {@code env --default-signal=INT} resets it before bin/silo runs.
     */
    Running start(String... args) throws IOException {
        return startTo(at, args);
    }

    /** As {@link #start}, to {@code servers} (one HOST:PORT, or a list of them) instead of this server. */
    Running startTo(String servers, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT", SILO.toString()));
        cmd.addAll(List.of(args));
        cmd.add("--server=" + servers);
        Process p = builder(cmd).start();
        running.add(p);
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();
        collect(p.getInputStream(), out);
        collect(p.getErrorStream(), err);
        return new Running(p, out, err);
    }

    private static void collect(java.io.InputStream in, List<String> into) {
        Thread t = new Thread(() -> new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                .lines()
                .forEach(into::add));
        t.setDaemon(true);
        t.start();
    }

    List<Map<String, Object>> jobs() throws Exception {
        Done ls = run("job", "ls", "--all", "--limit", "1000", "--json");
        assertThat(ls.exit()).as(ls.output()).isZero();
        return JSON.readValue(ls.output(), new TypeReference<>() {});
    }

    Map<String, Object> jobOf(String path) throws Exception {
        return jobs().stream()
                .filter(j -> path.equals(j.get("path")))
                .findFirst()
                .orElse(null);
    }

    static void file(Path p, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Files.write(p, b);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : running) {
            p.destroyForcibly().waitFor();
        }
        if (server != null) {
            server.destroyForcibly().waitFor();
        }
    }
}
