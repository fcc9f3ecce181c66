package org.silo.server.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.silo.files.server.GatewayAddressPolicy;
import org.silo.wire.server.WireServerConfig;

/**
 * The server's settings: built-in defaults, then a {@code key = value} file (--config), then
 * command-line overrides (--set key=value). Unknown keys are refused, so a typo never goes unnoticed;
 * {@link ConfigReader} reads and checks them. docs/configuration.md lists every key.
 */
public final class SiloConfig {
    /** Every key and its default. */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new TreeMap<>();
        d.put("data", "./silo-data");
        d.put("name", "silo");
        d.put("listen", "127.0.0.1");
        d.put("anonymous", "auto");
        d.put("login.first-wait", "1s");
        d.put("catalog", "");
        d.put("archive.movers", "2");
        d.put("archive.mover-timeout", "10s");
        d.put("archive.hung-after", "5m");
        d.put("archive.mover-rate", "0");
        d.put("archive.age-time", "30m");
        d.put("archive.aggregate-below", "64M");
        d.put("archive.aggregate-size", "1G");
        d.put("archive.aggregate-idle", "1s");
        d.put("wire.port", "7400");
        d.put("wire.max-datagram", "1200");
        d.put("wire.max-tcp-frame", "64M");
        d.put("wire.session-idle", "5m");
        d.put("wire.max-sessions", "65536");
        d.put("wire.max-sessions-per-address", "1024");
        d.put("wire.workers", "1024");
        d.put("wire.max-connections", "4096");
        d.put("wire.max-connections-per-address", "64");
        d.put("wire.unproven-per-second", "100");
        d.put("reply-cache.entries", "65536");
        d.put("reply-cache.bytes", "64M");
        d.put("reply-cache.per-session", "1024");
        d.put("reply-cache.retention", "120s");
        d.put("blockhead.port", "4444");
        d.put("blockhead.default-image", "");
        d.put("blockhead.idle", "60m");
        d.put("blockhead.max-sessions", "256");
        d.put("blockhead.max-sessions-per-address", "16");
        d.put("nbd.port", "10809");
        d.put("nbd.tls-cert", "");
        d.put("nbd.tls-key", "");
        d.put("nbd.require-tls", "false");
        d.put("control.port", "7401");
        d.put("console.port", "7480");
        d.put("files.data-port", "0");
        d.put("files.cache-size", "4G");
        d.put("files.stage-wait", "20s");
        d.put("files.lookup-cache", "1s");
        d.put("files.url-allow", "");
        return d;
    }

    /** Every port key and the protocols the server binds on it, as a person names them ("7400/udp"). */
    public static final Map<String, List<String>> PORTS = ports();

    private static Map<String, List<String>> ports() {
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put("wire.port", List.of("udp", "tcp"));
        p.put("blockhead.port", List.of("udp"));
        p.put("nbd.port", List.of("tcp"));
        p.put("control.port", List.of("tcp"));
        p.put("console.port", List.of("tcp"));
        p.put("files.data-port", List.of("tcp"));
        return Collections.unmodifiableMap(p);
    }

    /**
     * A key renamed in a release: a configuration that still uses the old name is read as the new one,
     * with a warning naming the new key, rather than refused (docs/configuration.md, "Renamed keys").
     */
    public record Renamed(String oldKey, String newKey, String release) {}

    /**
     * Every key renamed so far, oldest first. No key has been renamed yet: when one is, its old name goes
     * here (never back into {@link #DEFAULTS}) and docs/configuration.md's table of renamed keys gets a row.
     */
    public static final List<Renamed> RENAMED = List.of();

    private final Map<String, String> values;
    private final Map<String, String> origins;
    private final List<String> warnings;

    SiloConfig(Map<String, String> values, Map<String, String> origins, List<String> warnings) {
        this.values = values;
        this.origins = origins;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Defaults, then the file (if any), then the overrides; refused with every problem found (one a line)
     * if any key is unknown or any value bad. {@link #read} says the same without throwing.
     */
    public static SiloConfig load(Path file, Map<String, String> overrides) throws IOException {
        ConfigReader.Report r = read(file, overrides);
        if (!r.problems().isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", r.problems()));
        }
        return r.config();
    }

    /** Reads a configuration as {@link #load} does and reports what it found: problems, warnings, the result. */
    public static ConfigReader.Report read(Path file, Map<String, String> overrides) throws IOException {
        return ConfigReader.read(file, overrides, RENAMED);
    }

    public static SiloConfig defaults(Map<String, String> overrides) {
        try {
            return load(null, overrides);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The warnings reading gave (old key names read as new ones), to be logged at start. */
    public List<String> warnings() {
        return warnings;
    }

    /** Where a key's value came from: "the defaults", the file's name, or "the command line". */
    public String origin(String key) {
        return origins.getOrDefault(key, "the defaults");
    }

    public String get(String key) {
        String s = values.get(key);
        if (s == null) {
            throw new IllegalArgumentException("unknown setting '" + key + "'");
        }
        return s;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public int port(String key) {
        try {
            int p = Integer.parseInt(get(key).trim());
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // said below, as an out-of-range number is
        }
        throw new IllegalArgumentException(
                "bad value " + key + " = '" + get(key) + "': a port is a whole number 0..65535 (0: any free port)");
    }

    public int integer(String key) {
        try {
            return Integer.parseInt(get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad value " + key + " = '" + get(key) + "': not a whole number");
        }
    }

    public long size(String key) {
        try {
            return org.silo.wire.Sizes.parse(get(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    public Duration duration(String key) {
        try {
            return Durations.parse(get(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    public Path data() {
        return Path.of(get("data"));
    }

    public InetAddress listen() {
        try {
            return InetAddress.getByName(get("listen"));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "bad value listen = '" + get("listen") + "': not an address of this host");
        }
    }

    /**
     * files.url-allow: the addresses the file service's URL gateway may reach beyond public ones (it fetches
     * on the server; docs/security.md).
     */
    public GatewayAddressPolicy urlAllow() {
        return GatewayAddressPolicy.parse(get("files.url-allow"));
    }

    public WireServerConfig wire() {
        long tcpFrame = size("wire.max-tcp-frame");
        if (tcpFrame > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("wire.max-tcp-frame must be below 2 GiB");
        }
        return new WireServerConfig(
                integer("wire.max-datagram"),
                (int) tcpFrame,
                duration("wire.session-idle"),
                integer("wire.max-sessions"),
                integer("wire.max-sessions-per-address"),
                integer("reply-cache.entries"),
                size("reply-cache.bytes"),
                integer("reply-cache.per-session"),
                duration("reply-cache.retention"),
                integer("wire.workers"),
                integer("wire.max-connections"),
                integer("wire.max-connections-per-address"),
                integer("wire.unproven-per-second"));
    }
}
