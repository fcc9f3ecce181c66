package org.silo.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.NsList;
import org.silo.wire.op.CoreOps;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/**
 * The training run of bin/silo's start-up cache (JDK 25's AOT cache, JEP 483/514; AppCDS before it):
 * the classes this run loads and links, and the profiles of what it runs, are what the cache keeps for
 * every later client command. So it runs what short commands run: picocli's model of every command
 * (--help), --version, and ls, stat, status and ping through the real client against a message-layer
 * server in this process that answers with canned records, plus one call to a port where nothing
 * listens (the failure path). Needs no running server and no network beyond loopback.
 * Nothing it prints is meant for anyone: bin/silo sends it to target/silo-aot.log.
 */
final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("silo.log", "ERROR");
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        int failures = 0;
        try (WireServer server = cannedServer()) {
            String at = "--server=127.0.0.1:" + server.port();
            System.setOut(none);
            System.setErr(none);
            List<String[]> lines = List.of(
                    new String[] {"--help"},
                    new String[] {"--version"},
                    new String[] {"ls", "--help"},
                    new String[] {"ls", "/", at},
                    new String[] {"ls", "/exp", at, "--json"},
                    new String[] {"stat", "/exp/a.dat", at},
                    new String[] {"status", at},
                    new String[] {"ping", "--count", "3", at},
                    new String[] {"ls", "/", "--server=127.0.0.1:1", "--timeout=300ms", "--retries=0"});
            for (String[] line : lines) {
                int code = Main.run(line);
                boolean expected = line[line.length - 1].equals("--retries=0") ? code != 0 : code == 0;
                if (!expected) {
                    failures++;
                    err.println("training: 'silo " + String.join(" ", line) + "' exited " + code);
                }
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        out.println("training done, " + failures + " unexpected exit(s)");
        System.exit(failures == 0 ? 0 : 1);
    }

    /** A real message-layer server whose handlers answer with fixed records: what ls, stat and status decode. */
    private static WireServer cannedServer() throws Exception {
        long t = 1_700_000_000_000L;
        NsEntry dir = new NsEntry("/exp", "exp", "dir", "silo", t, t, null, 0, null, null);
        NsEntry file = new NsEntry(
                "/exp/a.dat", "a.dat", "file", "silo", t, t, "0123456789abcdef", 4096, "1a2b3c4d", "VOL001");
        Dispatcher d = new Dispatcher()
                .register(CoreOps.PING, (ctx, payload) -> payload)
                .register(CoreOps.STATUS, (ctx, none) -> Map.<String, Object>of("version", "training", "sessions", 1))
                .registerBlocking(FileClerkOps.LS, (ctx, ls) -> new NsList(ls.path(), List.of(dir, file)))
                .registerBlocking(FileClerkOps.STAT, (ctx, path) -> file);
        return WireServer.start(
                InetAddress.getLoopbackAddress(), 0, WireServerConfig.DEFAULTS, d, new SimpleMeterRegistry());
    }
}
