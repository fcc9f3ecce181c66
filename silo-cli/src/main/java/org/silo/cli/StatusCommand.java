package org.silo.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.silo.wire.client.SiloClient;
import org.silo.wire.op.CoreOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {"Show the server's status.", "Its version, uptime, sessions, reply cache and every service."},
        footer = {"", "Examples:", "  silo status", "  silo status --json --server host:7400"})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ClientMixin client;

    @Option(names = "--json", description = "Print JSON instead of an indented listing.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> status;
        try (SiloClient c = client.connect()) {
            status = c.call(CoreOps.STATUS, null);
        }
        if (json) {
            Json.print(status);
        } else {
            print(status, "");
        }
        return 0;
    }

    private static void print(Map<?, ?> m, String indent) {
        int width =
                m.keySet().stream().mapToInt(k -> k.toString().length()).max().orElse(0);
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> sub) {
                System.out.println(indent + e.getKey() + ":");
                print(sub, indent + "  ");
            } else {
                System.out.printf("%s%-" + width + "s  %s%n", indent, e.getKey(), e.getValue());
            }
        }
    }
}
