package org.silo.files.server;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.silo.block.image.Policy;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * Which addresses the URL gateway (http, https, nbd) may connect to. It fetches on the server, so a URL
 * could otherwise reach what only the server can: its own console on loopback, a cloud's metadata
 * service on a link-local address, hosts on its private network (docs/security.md). Those are refused unless
 * the admin lists them in {@code files.url-allow}:
 *
 * <ul>
 *   <li>loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10);
 *   <li>private: RFC 1918 (10/8, 172.16/12, 192.168/16), shared address space (100.64.0.0/10, RFC
 *       6598), unique local (fc00::/7) and the old site-local (fec0::/10);
 *   <li>unspecified ("this network" 0.0.0.0/8, ::), multicast (224.0.0.0/4, ff00::/8) and broadcast
 *       (255.255.255.255).
 * </ul>
 *
 * <p>An IPv6 address that carries an IPv4 one (::ffff:a.b.c.d, ::a.b.c.d) is judged by the IPv4 one.
 * {@link #resolve} checks every address a name resolves to, not just the first, and returns them: the
 * caller connects to those very addresses, never resolving the name again, so a DNS answer that
 * changes between the check and the connection (rebinding) cannot swap in another.
 *
 * <p>{@code files.url-allow} is a list, separated by commas or spaces, of IP addresses, CIDR ranges
 * ({@code 10.1.0.0/16}, {@code fd00::/8}) and host names; a listed host name is allowed whatever it
 * resolves to.
 */
public final class GatewayAddressPolicy {
    private static final List<Policy.Range> PRIVATE =
            ranges("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7", "fec0::/10");
    private static final List<Policy.Range> UNSPECIFIED = ranges("0.0.0.0/8", "::/128");
    private static final List<Policy.Range> MULTICAST = ranges("224.0.0.0/4", "255.255.255.255/32", "ff00::/8");

    /** Nothing beyond the public internet. */
    public static final GatewayAddressPolicy DEFAULT = new GatewayAddressPolicy(List.of(), Set.of());

    private final List<Policy.Range> allowedRanges;
    private final Set<String> allowedHosts;

    private GatewayAddressPolicy(List<Policy.Range> allowedRanges, Set<String> allowedHosts) {
        this.allowedRanges = List.copyOf(allowedRanges);
        this.allowedHosts = Set.copyOf(allowedHosts);
    }

    /**
     * Parses {@code files.url-allow}: IP addresses, CIDR ranges and host names, separated by commas or
     * spaces; empty allows nothing extra.
     *
     * @throws IllegalArgumentException naming the entry that is neither
     */
    public static GatewayAddressPolicy parse(String setting) {
        List<Policy.Range> ranges = new ArrayList<>();
        Set<String> hosts = new TreeSet<>();
        for (String entry : (setting == null ? "" : setting).split("[,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.matches("[0-9.]+(/.*)?") || entry.contains(":")) {
                try {
                    ranges.add(Policy.Range.parse(entry));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("files.url-allow: " + e.getMessage());
                }
            } else if (entry.matches("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?")) {
                hosts.add(hostKey(entry));
            } else {
                throw new IllegalArgumentException("files.url-allow: '" + entry
                        + "' is neither an IP address, a CIDR range (10.0.0.0/8) nor a host name");
            }
        }
        return new GatewayAddressPolicy(ranges, hosts);
    }

    /**
     * Every address {@code host} resolves to, once each has been checked; the caller connects to these.
     *
     * @param what the URL, for the error text
     * @throws SiloException PERMISSION naming the address and why when any of them is refused (a name that
     *     resolves to one public and one private address could be steered to either), NOT_FOUND when the
     *     name does not resolve
     */
    public List<InetAddress> resolve(String host, String what) throws SiloException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(name);
        } catch (UnknownHostException e) {
            throw SiloException.notFound(what + ": the host " + name + " is not known");
        } catch (SecurityException | IllegalArgumentException e) {
            throw SiloException.invalid(what + ": bad host " + name + ": " + e.getMessage());
        }
        if (allowedHosts.contains(hostKey(name))) {
            return List.of(all);
        }
        for (InetAddress a : all) {
            String kind = refusedKind(a);
            if (kind != null && allowedRanges.stream().noneMatch(r -> r.contains(a))) {
                throw SiloException.of(
                        ErrorCode.PERMISSION,
                        what + ": refused: " + a.getHostAddress() + " is " + kind
                                + " address, and the file service fetches URLs on the server; an admin can allow it with"
                                + " files.url-allow (docs/security.md)");
            }
        }
        return List.of(all);
    }

    /** Why an address is refused by default ("a loopback"...), or null for a public one. */
    static String refusedKind(InetAddress address) {
        InetAddress a = embeddedIpv4(address);
        if (a.isLoopbackAddress()) {
            return "a loopback";
        }
        if (a.isLinkLocalAddress()) {
            return "a link-local";
        }
        if (a.isAnyLocalAddress() || in(UNSPECIFIED, a)) {
            return "an unspecified";
        }
        if (a.isMulticastAddress() || in(MULTICAST, a)) {
            return "a multicast or broadcast";
        }
        if (a.isSiteLocalAddress() || in(PRIVATE, a)) {
            return "a private";
        }
        return null;
    }

    /** The IPv4 address inside ::ffff:a.b.c.d or ::a.b.c.d, else the address itself. */
    private static InetAddress embeddedIpv4(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 16) {
            return address;
        }
        boolean zeros = Arrays.equals(b, 0, 10, new byte[10], 0, 10);
        boolean mapped = zeros && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        boolean compatible = zeros && b[10] == 0 && b[11] == 0 && !Arrays.equals(b, 12, 14, new byte[2], 0, 2);
        if (!mapped && !compatible) {
            return address;
        }
        try {
            return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes: cannot happen
        }
    }

    private static boolean in(List<Policy.Range> ranges, InetAddress a) {
        for (Policy.Range r : ranges) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static String hostKey(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static List<Policy.Range> ranges(String... cidrs) {
        return Arrays.stream(cidrs).map(Policy.Range::parse).toList();
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>(
                allowedRanges.stream().map(Policy.Range::toString).toList());
        all.addAll(allowedHosts);
        return all.isEmpty() ? "(public addresses only)" : String.join(",", all);
    }
}
