package org.silo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.silo.server.TestSilo;

/**
 * The README's quick start, walked end to end as written. The commands are read
 * from README.md itself (the block after "Then, in another terminal:"), so a command added there that
 * this test does not know fails it, and each runs against a {@code bin/silo server} this test starts, with
 * the README's ports replaced by the server's ephemeral ones. What a command prints is checked where it
 * matters; the server is stopped with Ctrl-C (SIGINT) and must say "silo stopped".
 *
 * <p>Not walked: {@code mvn -B verify} (the build running this test) and the block that makes an admin and
 * opens the server to the network (it needs the server stopped and restarted on 0.0.0.0; LoginCliTest and
 * the access tests cover it).
 */
class ReadmeIT {
    private static final Path README = SiloProcesses.ROOT.resolve("README.md");
    private static final Pattern READY =
            Pattern.compile("silo server ready: messages on ([^ ]+):(\\d+), Blockhead (\\d+)/udp,"
                    + " NBD (\\d+), control (\\d+), console http://[^:]+:(\\d+)/");

    /** The README's quick-start commands, one per entry: comments dropped, "a; b" split. */
    static List<String> quickStart() throws IOException {
        String text = Files.readString(README);
        assertThat(block(text, text.indexOf("## Quick start")))
                .as("the server the quick start starts")
                .contains("bin/silo server");
        List<String> commands = new ArrayList<>();
        for (String line :
                block(text, text.indexOf("Then, in another terminal:")).split("\n")) {
            for (String part : line.replaceFirst("\\s+#.*$", "").split(";")) {
                if (!part.isBlank()) {
                    commands.add(part.trim());
                }
            }
        }
        return commands;
    }

    /** The first ```sh block after {@code from}. */
    private static String block(String text, int from) {
        assertThat(from).as("README.md has the quick start").isNotNegative();
        int open = text.indexOf("```sh\n", from) + "```sh\n".length();
        return text.substring(open, text.indexOf("```", open));
    }

    private Path work;
    private String at;
    private int nbd;
    private int control;
    private int console;

    @Test
    @Timeout(1800)
    void theQuickStartWorksAsWritten(@TempDir Path dir) throws Exception {
        List<String> commands = quickStart();
        assertThat(commands).as("the README's quick start").hasSizeGreaterThan(10);
        work = Files.createDirectories(dir.resolve("work"));
        Path results = Files.createDirectories(work.resolve("results"));
        SiloProcesses.file(results.resolve("run1.dat"), 300_000, 15);
        SiloProcesses.file(results.resolve("run2.dat"), 5_000, 16);
        Files.writeString(work.resolve("notes.txt"), "notes\n");

        List<String> serverOut = new CopyOnWriteArrayList<>();
        Process server = startServer(dir.resolve("silo-data"), serverOut);
        try {
            for (String command : commands) {
                List<String> words =
                        List.of(command.replace("localhost", "127.0.0.1").split("\\s+"));
                switch (words.get(0)) {
                    case "bin/silo" -> silo(command, words.subList(1, words.size()));
                    case "qemu-img" -> qemuImg(words);
                    case "ncat" -> textProtocol(words);
                    case "xdg-open" -> consolePage(words);
                    default -> fail("the README's quick start has a command this test does not know: " + command);
                }
            }
            // Ctrl-C, as a person stops it
            new ProcessBuilder("kill", "-INT", Long.toString(server.pid()))
                    .start()
                    .waitFor();
            assertThat(server.waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                    .as("the server stops on Ctrl-C")
                    .isTrue();
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofMinutes(1))
                    .until(() -> serverOut.contains("silo stopped"));
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    /** One bin/silo command of the README, with what it must print. */
    private void silo(String command, List<String> args) throws Exception {
        boolean client = !args.get(0).startsWith("--");
        List<String> cmd = new ArrayList<>(List.of(SiloProcesses.SILO.toString()));
        cmd.addAll(args);
        if (client) {
            cmd.add("--server=" + at);
        }
        if (args.contains("--count")) {
            // many pings: run on a terminal (script(1) gives it one), where progress must show
            Run r = run(List.of("script", "-qec", String.join(" ", cmd), "/dev/null"));
            assertThat(r.exit()).as(command + "\n" + r.out()).isZero();
            String count = args.get(args.indexOf("--count") + 1);
            assertThat(r.out())
                    .as(command)
                    .contains("ping: ", "of " + count + " answered")
                    .contains(count + " calls, " + count + " answered, 0 failed");
            return;
        }
        Run r = run(cmd);
        assertThat(r.exit()).as(command + "\n" + r.out() + r.err()).isZero();
        String out = r.out();
        switch (args.get(0)) {
            case "ping" -> assertThat(out).contains("10 calls, 10 answered, 0 failed");
            case "status" -> assertThat(out).contains("version", "uptimeSeconds", "filesActive");
            case "put" -> assertThat(out).contains("results/run1.dat -> /exp/results/run1.dat", "293.0 KiB", "COPIES");
            case "get" ->
                assertThat(Files.mismatch(work.resolve("run1.dat"), work.resolve("results/run1.dat")))
                        .as(command)
                        .isEqualTo(-1L);
            case "job" -> assertThat(out).as(command).isNotBlank();
            case "mover" -> assertThat(out).contains("mover1", "mover2");
            case "disk" ->
                assertThat(out).contains(args.get(1).equals("snapshot") ? "retro@1: full, taken " : "retro: 64.0 MiB");
            case "--help" -> assertThat(out).contains("Examples:", "put", "get");
            case "file" -> {
                if (args.get(1).equals("cat")) {
                    assertThat(out).contains("\"version\"").endsWith("}\n");
                } else if (args.get(1).equals("cp")) {
                    // the same person on the same host owns what put and file cp wrote alike
                    assertThat(owner(args.get(args.size() - 1))).isEqualTo(owner("/exp/results/run1.dat"));
                }
            }
            default -> {} // mkdir: its exit status says it all
        }
    }

    private String owner(String path) throws Exception {
        Run r = run(List.of(SiloProcesses.SILO.toString(), "stat", path, "--json", "--server=" + at));
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode e = SiloProcesses.JSON.readTree(r.out());
        return e.get("owner").asText();
    }

    private void qemuImg(List<String> words) throws Exception {
        if (!onPath("qemu-img")) {
            System.err.println(
                    "ReadmeIT: qemu-img is not installed (apt-get install qemu-utils); its line is not walked");
            return;
        }
        List<String> cmd = new ArrayList<>(words);
        cmd.replaceAll(w -> w.replace(":10809/", ":" + nbd + "/"));
        Run r = run(cmd);
        assertThat(r.exit()).as(cmd + "\n" + r.out() + r.err()).isZero();
        assertThat(r.out()).contains("virtual size: 64 MiB");
    }

    /** What the README says to type at ncat: CAPAB, then an empty line. */
    private void textProtocol(List<String> words) throws Exception {
        assertThat(words).as("ncat to the control port").contains("7401");
        try (Socket s = new Socket("127.0.0.1", control)) {
            s.setSoTimeout(60_000); // a ceiling: a busy machine may take seconds to answer
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("IDENT\tsilo\t");
            assertThat(in.readLine()).isEmpty();
            s.getOutputStream().write("CAPAB\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(in.readLine()).startsWith("CAP\tserver\tWHATIS");
        }
    }

    private void consolePage(List<String> words) throws Exception {
        String url = words.get(1).replace(":7480/", ":" + console + "/");
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> page =
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).as(url).isEqualTo(200);
            assertThat(page.body()).contains("Silo console");
        }
    }

    private Process startServer(Path data, List<String> lines) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "env", "--default-signal=INT", SiloProcesses.SILO.toString(), "server", "--data", data.toString()));
        cmd.addAll(TestSilo.serverArgs());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            lines.add(line);
            Matcher m = READY.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(lines::add));
                drain.setDaemon(true);
                drain.start();
                at = m.group(1) + ":" + m.group(2);
                nbd = Integer.parseInt(m.group(4));
                control = Integer.parseInt(m.group(5));
                console = Integer.parseInt(m.group(6));
                return p;
            }
        }
        throw new AssertionError("the server never said it was ready:\n" + String.join("\n", lines));
    }

    record Run(int exit, String out, String err) {}

    private Run run(List<String> cmd) throws Exception {
        Path err = Files.createTempFile(work.getParent(), "err", ".txt");
        Process p = new ProcessBuilder(cmd)
                .directory(work.toFile())
                .redirectError(err.toFile())
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(SiloProcesses.CEILING.toSeconds(), TimeUnit.SECONDS))
                .as(cmd.toString())
                .isTrue();
        return new Run(p.exitValue(), out, Files.readString(err));
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
