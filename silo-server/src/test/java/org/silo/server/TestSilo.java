package org.silo.server;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.silo.server.config.SiloConfig;

/** Settings for a server in a test: a temporary data directory and every port ephemeral. */
public final class TestSilo {
    private TestSilo() {}

    public static SiloConfig config(Path data, String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("data", data.toString());
        for (String key : SiloConfig.DEFAULTS.keySet()) {
            if (key.endsWith(".port")) {
                m.put(key, "0");
            }
        }
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return SiloConfig.defaults(m);
    }
}
