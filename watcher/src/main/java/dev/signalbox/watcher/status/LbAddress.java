package dev.signalbox.watcher.status;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of an Ingress's {@code status.loadBalancer.ingress}: exactly one of {@code ip} and
 * {@code hostname} is set (networking.k8s.io/v1 IngressLoadBalancerIngress; ports are not reported).
 */
public record LbAddress(String ip, String hostname) {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    /** IPs first, then host names, each alphabetically. */
    static final Comparator<LbAddress> ORDER = Comparator
            .comparing(LbAddress::ip, Comparator.nullsLast(Comparator.<String>naturalOrder()))
            .thenComparing(LbAddress::hostname, Comparator.nullsLast(Comparator.<String>naturalOrder()));

    public LbAddress {
        if ((ip == null) == (hostname == null)) {
            throw new IllegalArgumentException("exactly one of ip and hostname: " + ip + ", " + hostname);
        }
    }

    /**
     * An IP literal becomes {@code ip}, anything else {@code hostname}. No DNS lookup: a dotted quad or a
     * text with a colon (IPv6; host names cannot contain one) is an IP.
     */
    public static LbAddress parse(String text) {
        String t = Objects.requireNonNull(text).trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        return IPV4.matcher(t).matches() || t.contains(":") ? new LbAddress(t, null) : new LbAddress(null, t);
    }

    /** The same addresses as a set, in one order: what is compared and what is written. */
    public static List<LbAddress> normalize(List<LbAddress> addresses) {
        return addresses.stream().distinct().sorted(ORDER).toList();
    }
}
