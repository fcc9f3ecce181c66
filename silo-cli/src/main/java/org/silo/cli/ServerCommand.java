package org.silo.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.silo.server.SiloServer;
import org.silo.server.SystemdNotify;
import org.silo.server.block.BlockService;
import org.silo.server.config.ConfigReader;
import org.silo.server.config.SiloConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "server",
        description = {
            "Run the silo server until stopped (Ctrl-C).",
            "It runs the message endpoint and every service. Out of the box it listens on loopback only, keeps its"
                    + " catalog and images in ./silo-data, and uses the default ports: 7400 (UDP and TCP) for silo messages,"
                    + " 4444/udp Blockhead, 10809 NBD, 7401 the text control protocol (try: ncat -C localhost 7401) and 7480"
                    + " the web console.",
            "The configuration file holds 'key = value' lines; docs/configuration.md lists every key."
        },
        footer = {
            "",
            "Examples:",
            "  silo server",
            "  silo server --data /srv/silo --config /etc/silo/silo.conf",
            "  silo server --set listen=0.0.0.0 --set wire.port=7500",
            "  silo server --config /etc/silo/silo.conf --check-config"
        },
        mixinStandardHelpOptions = true)
final class ServerCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ./silo-data).")
    Path data;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file of 'key = value' lines.")
    Path config;

    // A list, not picocli's Map: a word without '=' would get picocli's "Value for option option '--set'".
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one setting; may be repeated.")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--check-config",
            description = "Read the configuration as a start would and say every unknown key"
                    + " (with the nearest known one), bad value and renamed key; print the configuration if it is valid. Starts"
                    + " nothing; exits 0 if valid, 1 if not.")
    boolean checkConfig;

    /** What Ctrl-C (or SIGTERM) prints once the server has shut down (a server that ends saying nothing leaves its user guessing). */
    static String stoppedLine(int failedParts) {
        return failedParts == 0
                ? "silo stopped"
                : "silo stopped; " + failedParts + " part" + (failedParts == 1 ? "" : "s")
                        + " did not close cleanly (the log above says which)";
    }

    /**
     * Under systemd's Type=notify (the Debian package's silo.service) the unit is started only once this
     * says READY=1: every port bound, the catalog open. A failure is said, not fatal: systemd then stops
     * the server after TimeoutStartSec, and the journal has the reason.
     */
    private static void tellSystemd(String state) {
        try {
            SystemdNotify.notify(state);
        } catch (IOException e) {
            System.err.println("silo: could not tell systemd: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String kv : overrides) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set " + kv + ": write --set KEY=VALUE, e.g. --set listen=0.0.0.0"
                        + " (docs/configuration.md lists every key)");
            }
            settings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        if (data != null) {
            settings.put("data", data.toString());
        }
        ConfigReader.Report report = SiloConfig.read(config, settings);
        if (checkConfig) {
            return ConfigCheck.print(report, config, System.out, System.err);
        }
        // the same lines as --check-config, each on its own line: every problem, not the first alone
        report.warnings().forEach(w -> System.err.println("silo: warning: " + w));
        report.problems().forEach(p -> System.err.println("silo: " + p));
        if (!report.problems().isEmpty()) {
            return Failures.FAILED;
        }
        SiloConfig cfg = report.config();
        SiloServer server = SiloServer.start(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            tellSystemd("STOPPING=1");
                            System.out.println(stoppedLine(server.shutdown()));
                            System.out.flush();
                            stopped.countDown();
                        },
                        "silo-shutdown"));
        BlockService block = server.service("block", BlockService.class);
        System.out.printf(
                "silo server ready: messages on %s:%d, Blockhead %d/udp, NBD %d, control %d, console http://%s:%d/;"
                        + " stop with Ctrl-C%n",
                cfg.get("listen"),
                server.wirePort(),
                block.blockheadPort(),
                block.nbdPort(),
                server.controlPort(),
                cfg.get("listen"),
                server.consolePort());
        System.out.flush();
        tellSystemd("READY=1\nSTATUS=serving on wire port " + server.wirePort());
        stopped.await();
        return 0;
    }
}
