package org.silo.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * "Hosts" on this machine as Linux network namespaces: each its own namespace with one interface,
 * {@code eth0}, an address {@code 10.77.0.N/24} and loopback, all plugged into a bridge in a further
 * namespace of their own (the "switch"), so that they reach each other and nothing else. Nothing is
 * made in the root namespace: each veth pair is created inside the switch's namespace with its other
 * end created directly in the host's, so the machine's own interfaces and routes are never touched,
 * and the addresses exist only inside these namespaces.
 *
 * <pre>{@code
 * try (NetnsHosts hosts = NetnsHosts.create("db", "srv1", "client")) {
 *     String db = hosts.address("db");                  // 10.77.0.1
 *     List<String> in = hosts.exec("client");           // ip netns exec silo1234-client
 * }
 * }</pre>
 *
 * Processes run in a host behind {@link #exec}. {@link #close} kills every process still in the
 * namespaces (they are this test's: nothing else runs in a namespace it made) and deletes them, which
 * takes their interfaces with them; it also runs on the JVM's exit, and {@link #create} first removes
 * namespaces a test JVM that no longer runs left behind (a kill -9 of the build). Where {@code ip netns}
 * is refused (no root, no {@code ip}, a container without the right), {@link #create} skips the test
 * with a JUnit assumption that says so.
 */
final class NetnsHosts implements AutoCloseable {
    private static final String SUBNET = "10.77.0.";
    private static final Pattern OURS = Pattern.compile("^silo(\\d+)-\\S+");

    private final String prefix = "silo" + ProcessHandle.current().pid() + "-";
    private final String lan = prefix + "lan";
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final List<String> made = new ArrayList<>();
    private final Thread onExit = new Thread(this::removeAll);

    private NetnsHosts() {}

    /** Hosts named {@code names}, the first at 10.77.0.1, the next at .2, and so on. */
    static NetnsHosts create(String... names) throws IOException, InterruptedException {
        removeLeftovers();
        NetnsHosts h = new NetnsHosts();
        Result probe = ip("netns", "add", h.lan);
        Assumptions.assumeTrue(
                probe.exit() == 0,
                "'ip netns add' is refused here (" + probe.output().strip()
                        + "); the namespace hosts need root and ip netns");
        h.made.add(h.lan);
        Runtime.getRuntime().addShutdownHook(h.onExit);
        try {
            h.must("-n", h.lan, "link", "add", "br0", "type", "bridge");
            h.must("-n", h.lan, "link", "set", "br0", "up");
            int n = 1;
            for (String name : names) {
                h.addHost(name, SUBNET + n, "h" + n);
                n++;
            }
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    private void addHost(String name, String address, String port) throws IOException, InterruptedException {
        String ns = prefix + name;
        must("netns", "add", ns);
        made.add(ns);
        must("-n", lan, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        must("-n", lan, "link", "set", port, "master", "br0", "up");
        must("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        must("-n", ns, "link", "set", "eth0", "up");
        must("-n", ns, "link", "set", "lo", "up");
        addresses.put(name, address);
    }

    /** The host's address on the LAN. */
    String address(String host) {
        String a = addresses.get(host);
        if (a == null) {
            throw new IllegalArgumentException("no host " + host + " (hosts: " + addresses.keySet() + ")");
        }
        return a;
    }

    /** The command prefix that runs a program in {@code host}: {@code ip netns exec NAMESPACE}. */
    List<String> exec(String host) {
        address(host);
        return List.of("ip", "netns", "exec", prefix + host);
    }

    @Override
    public void close() {
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to do
        }
    }

    private synchronized void removeAll() {
        for (String ns : made.reversed()) {
            remove(ns);
        }
        made.clear();
    }

    /** Kills what still runs in {@code ns} (by pid), then deletes it with its interfaces. */
    private static void remove(String ns) {
        try {
            Result pids = ip("netns", "pids", ns);
            List<ProcessHandle> left = pids.output()
                    .lines()
                    .map(String::strip)
                    .filter(l -> l.matches("\\d+"))
                    .flatMap(l -> ProcessHandle.of(Long.parseLong(l)).stream())
                    .toList();
            left.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : left) {
                p.onExit().get(1, TimeUnit.MINUTES); // a ceiling for a hang only
            }
            ip("netns", "del", ns);
        } catch (Exception e) {
            System.err.println("could not remove network namespace " + ns + ": " + e);
        }
    }

    /** Namespaces of this harness whose test JVM is gone (it was killed before it could clean up). */
    private static void removeLeftovers() throws IOException, InterruptedException {
        Result list = ip("netns", "list");
        if (list.exit() != 0) {
            return;
        }
        for (String line : list.output().lines().toList()) {
            Matcher m = OURS.matcher(line);
            if (m.find() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                remove(line.split(" ")[0]);
            }
        }
    }

    private void must(String... args) throws IOException, InterruptedException {
        Result r = ip(args);
        if (r.exit() != 0) {
            throw new IOException("ip " + String.join(" ", args) + ": exit " + r.exit() + ": "
                    + r.output().strip());
        }
    }

    private record Result(int exit, String output) {}

    private static Result ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(127, "cannot run ip: " + e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
