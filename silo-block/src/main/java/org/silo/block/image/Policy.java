package org.silo.block.image;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Who may use an image over Blockhead and NBD: open, read-only, or only from listed
 * addresses (docs/block.md, "Access policy"). Retro clients cannot log in, so the client's address is all there
 * is to go on.
 *
 * <ul>
 *   <li>{@code open}: anyone may read and write;
 *   <li>{@code read-only}: anyone may read, nobody may write over the network;
 *   <li>{@code hosts:ADDR[,ADDR...]}: only the listed addresses or CIDR ranges may connect at all,
 *       and they may write, e.g. {@code hosts:127.0.0.1,10.0.0.0/8,fd00::/8};
 *   <li>{@code closed}: nobody may connect over the network.
 * </ul>
 *
 * <p>An image nobody set a policy for has the store's default, which the server derives from the
 * {@code anonymous} setting (docs/security.md: since these clients cannot log in, "anonymous" means every
 * one of them): {@code open} where anonymous sessions may write, {@code read-only} where they may
 * only read, {@code closed} where they may do nothing.
 *
 * <p>Addresses are literals only: a host name is refused rather than looked up, so the policy
 * never depends on DNS.
 *
 * @param kind what the policy is
 * @param hosts the ranges of {@code hosts:}, empty otherwise
 */
public record Policy(Kind kind, List<Range> hosts) {
    public static final Policy OPEN = new Policy(Kind.OPEN, List.of());
    public static final Policy READ_ONLY = new Policy(Kind.READ_ONLY, List.of());
    public static final Policy CLOSED = new Policy(Kind.CLOSED, List.of());

    /** The kinds of policy. */
    public enum Kind {
        OPEN,
        READ_ONLY,
        HOSTS,
        CLOSED
    }

    public Policy {
        Objects.requireNonNull(kind, "kind");
        hosts = List.copyOf(hosts);
        if ((kind == Kind.HOSTS) == hosts.isEmpty()) {
            throw new IllegalArgumentException("hosts: needs at least one address; other kinds none");
        }
    }

    /** Only these ranges may connect; they may write. */
    public static Policy hosts(List<Range> ranges) {
        return new Policy(Kind.HOSTS, ranges);
    }

    /**
     * Parses {@code open}, {@code read-only}, {@code closed} or {@code hosts:ADDR[,ADDR...]}.
     *
     * @throws IllegalArgumentException with a message naming what is wrong
     */
    public static Policy parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equals("open")) {
            return OPEN;
        }
        if (t.equals("read-only")) {
            return READ_ONLY;
        }
        if (t.equals("closed")) {
            return CLOSED;
        }
        if (!t.startsWith("hosts:")) {
            throw new IllegalArgumentException(
                    "policy must be open, read-only, closed or hosts:ADDR[,ADDR...], got '" + printable(t) + "'");
        }
        List<Range> ranges = new ArrayList<>();
        for (String part : t.substring("hosts:".length()).split(",", -1)) {
            ranges.add(Range.parse(part.strip()));
        }
        return hosts(ranges);
    }

    /** Whether a client at this address may see and connect to the image. */
    public boolean admits(InetAddress client) {
        if (kind == Kind.CLOSED) {
            return false;
        }
        if (kind != Kind.HOSTS) {
            return true;
        }
        for (Range r : hosts) {
            if (r.contains(client)) {
                return true;
            }
        }
        return false;
    }

    /** Whether admitted clients may write. */
    public boolean allowsWrite() {
        return kind == Kind.OPEN || kind == Kind.HOSTS;
    }

    /** The form {@link #parse} reads. */
    @Override
    public String toString() {
        return switch (kind) {
            case OPEN -> "open";
            case READ_ONLY -> "read-only";
            case CLOSED -> "closed";
            case HOSTS ->
                "hosts:" + String.join(",", hosts.stream().map(Range::toString).toList());
        };
    }

    private static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /**
     * An address and a prefix length: {@code 10.0.0.0/8}, or one address ({@code /32} or
     * {@code /128}). An IPv4 client arriving as an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d},
     * a dual-stack socket) matches IPv4 ranges.
     *
     * @param network the address bytes, 4 or 16, with the bits past the prefix cleared
     * @param prefix the prefix length in bits
     */
    public record Range(byte[] network, int prefix) {
        public Range {
            network = network.clone();
            if (network.length != 4 && network.length != 16) {
                throw new IllegalArgumentException("an address has 4 or 16 bytes");
            }
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("prefix length out of range: " + prefix);
            }
            mask(network, prefix);
        }

        @Override
        public byte[] network() {
            return network.clone();
        }

        /** Parses {@code ADDR} or {@code ADDR/BITS}, IP literals only. */
        public static Range parse(String text) {
            int slash = text.indexOf('/');
            String addr = slash < 0 ? text : text.substring(0, slash);
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(addr); // literals only, no DNS
            if (bytes == null || addr.isEmpty()) {
                throw new IllegalArgumentException(
                        "not an IP address or CIDR range: '" + printable(text) + "' (host names are not accepted)");
            }
            int prefix = bytes.length * 8;
            if (slash >= 0) {
                String p = text.substring(slash + 1);
                if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bytes.length * 8) {
                    throw new IllegalArgumentException("bad prefix length in '" + printable(text) + "'");
                }
                prefix = Integer.parseInt(p);
            }
            return new Range(bytes, prefix);
        }

        /** Whether the address lies in this range. */
        public boolean contains(InetAddress client) {
            byte[] a = client.getAddress();
            if (a.length == 16 && network.length == 4 && isMappedV4(a)) {
                a = Arrays.copyOfRange(a, 12, 16);
            }
            if (a.length != network.length) {
                return false;
            }
            mask(a, prefix);
            return Arrays.equals(a, network);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Range r && r.prefix == prefix && Arrays.equals(r.network, network);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(network) * 31 + prefix;
        }

        @Override
        public String toString() {
            String addr;
            try {
                InetAddress a = InetAddress.getByAddress(network);
                addr = a instanceof Inet6Address ? NetUtil.toAddressString(a) : a.getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
            }
            return prefix == network.length * 8 ? addr : addr + "/" + prefix;
        }

        private static boolean isMappedV4(byte[] a) {
            for (int i = 0; i < 10; i++) {
                if (a[i] != 0) {
                    return false;
                }
            }
            return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
        }

        private static void mask(byte[] a, int prefix) {
            for (int i = 0; i < a.length; i++) {
                int keep = Math.max(0, Math.min(8, prefix - 8 * i));
                a[i] &= (byte) (0xff << (8 - keep));
            }
        }
    }
}
