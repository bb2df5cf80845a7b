package dev.signalbox.proxy.http;

import dev.signalbox.schemas.net.CidrSet;
import java.util.List;

/**
 * The peers whose identity fields ({@code X-Forwarded-*}, {@code X-Real-IP}, {@code Forwarded},
 * {@code ssl-client-*}) the proxy believes: the load balancers in front of it, as CIDR blocks (ingress-nginx's
 * {@code proxy-real-ip-cidr} with {@code use-forwarded-headers}, Envoy's trusted hops). None by default, so
 * every client's identity fields are replaced by what the proxy itself saw. Immutable; addresses are parsed
 * as literals only, never looked up in DNS.
 */
public final class TrustedProxies {
    public static final TrustedProxies NONE = new TrustedProxies(CidrSet.EMPTY);

    private final CidrSet blocks;

    private TrustedProxies(CidrSet blocks) {
        this.blocks = blocks;
    }

    /**
     * Parses a comma-separated list of CIDR blocks or single addresses ({@code 10.0.0.0/8,192.0.2.7,fd00::/8}).
     *
     * @throws IllegalArgumentException naming the first entry that is not one
     */
    public static TrustedProxies parse(String list) {
        return new TrustedProxies(CidrSet.parse(list));
    }

    /** Whether {@code address}, an IP literal (IPv4-mapped IPv6 counts as IPv4), is in a trusted block. */
    public boolean contains(String address) {
        return address != null && blocks.contains(address);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /**
     * The client's address as nginx's realip module with {@code real_ip_recursive on} finds it: the peer itself,
     * unless the peer is trusted; then the nearest address of {@code chain} (X-Forwarded-For, oldest hop first, the
     * peer last) that is not trusted, or the oldest when all are. What X-Real-IP says and source ranges check.
     */
    public String clientAddress(List<String> chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            if (!contains(chain.get(i))) {
                return chain.get(i);
            }
        }
        return chain.get(0);
    }

    @Override
    public String toString() {
        return blocks.toString();
    }
}
