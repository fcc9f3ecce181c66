package org.silo.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.silo.server.config.SiloConfig;

/**
 * Settings for a server in a test: a temporary data directory and every port ephemeral (each key of
 * {@link SiloConfig#PORTS} 0, any free port), so that tests run side by side and beside a real server.
 * The test jar of silo-server carries it to silo-cli's tests.
 *
 * <pre>{@code
 * try (SiloServer s = SiloServer.start(TestSilo.config(dir, "anonymous", "read"))) { ... }
 * List<String> cmd = new ArrayList<>(List.of("bin/silo", "server", "--data", data.toString()));
 * cmd.addAll(TestSilo.serverArgs("archive.movers=0"));
 * }</pre>
 */
public final class TestSilo {
    private TestSilo() {}

    /** Data in {@code data}, every port 0, then {@code keyValues}: key, value, key, value... */
    public static SiloConfig config(Path data, String... keyValues) {
        Map<String, String> m = new HashMap<>(ephemeralPorts());
        m.put("data", data.toString());
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return SiloConfig.defaults(m);
    }

    /**
     * The same as {@code silo server} arguments, for a server run as a process or through {@code Main}:
     * {@code --set KEY=0} for every port, a port given in {@code settings} (each {@code KEY=VALUE}) taking
     * its value instead, then {@code --set} for each other setting.
     */
    public static List<String> serverArgs(String... settings) {
        Map<String, String> m = new LinkedHashMap<>(ephemeralPorts());
        for (String s : settings) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a setting is KEY=VALUE, not '" + s + "'");
            }
            m.put(s.substring(0, eq), s.substring(eq + 1));
        }
        List<String> args = new ArrayList<>();
        m.forEach((key, value) -> {
            args.add("--set");
            args.add(key + "=" + value);
        });
        return args;
    }

    private static Map<String, String> ephemeralPorts() {
        Map<String, String> m = new LinkedHashMap<>();
        SiloConfig.PORTS.keySet().forEach(key -> m.put(key, "0"));
        return m;
    }
}
