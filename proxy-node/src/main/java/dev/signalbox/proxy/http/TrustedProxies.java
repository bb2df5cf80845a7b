package dev.signalbox.proxy.http;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The peers whose identity fields ({@code X-Forwarded-*}, {@code X-Real-IP}, {@code Forwarded},
 * {@code ssl-client-*}) the proxy believes: the load balancers in front of it, as CIDR blocks (ingress-nginx's
 * {@code proxy-real-ip-cidr} with {@code use-forwarded-headers}, Envoy's trusted hops). None by default, so
 * every client's identity fields are replaced by what the proxy itself saw. Immutable; addresses are parsed
 * as literals only, never looked up in DNS.
 */
public final class TrustedProxies {
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    private record Block(byte[] network, int prefix, String text) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest);
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Parses a comma-separated list of CIDR blocks or single addresses ({@code 10.0.0.0/8,192.0.2.7,fd00::/8}).
     *
     * @throws IllegalArgumentException naming the first entry that is not one
     */
    public static TrustedProxies parse(String list) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : list.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            byte[] address = literal(slash < 0 ? e : e.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("not an IP address or CIDR block: " + e);
            }
            int prefix = address.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > address.length * 8) {
                    throw new IllegalArgumentException("not a prefix length for " + (address.length == 4 ? "IPv4" : "IPv6")
                            + ": " + e);
                }
            }
            blocks.add(new Block(address, prefix, e));
        }
        return new TrustedProxies(blocks);
    }

    /** Whether {@code address}, an IP literal (IPv4-mapped IPv6 counts as IPv4), is in a trusted block. */
    public boolean contains(String address) {
        if (blocks.isEmpty() || address == null) {
            return false;
        }
        byte[] a = literal(address);
        if (a == null) {
            return false;
        }
        for (Block b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** The address's bytes, four for IPv4 and for IPv4-mapped IPv6; null if it is not an IP literal. */
    private static byte[] literal(String s) {
        String t = s.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        byte[] b = NetUtil.createByteArrayFromIpAddressString(t);
        if (b != null && b.length == 16 && isIpv4Mapped(b)) {
            return Arrays.copyOfRange(b, 12, 16);
        }
        return b;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    @Override
    public String toString() {
        return blocks.toString();
    }
}
