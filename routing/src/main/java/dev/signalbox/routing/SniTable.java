package dev.signalbox.routing;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses what serves a TLS server name (RFC 6066 3): an exact host first, then the one-label wildcard
 * ({@code *.foo.com} covers {@code bar.foo.com}, not {@code foo.com} nor {@code a.bar.foo.com}), compared
 * without case. Immutable; any event loop may look up concurrently.
 *
 * @param <T> what a host maps to (an SslContext in the proxy, a string in tests)
 */
public final class SniTable<T> {
    private final Map<String, T> exact;
    /** Keyed by the wildcard's suffix: "*.foo.com" is stored under "foo.com". */
    private final Map<String, T> wildcard;

    private SniTable(Map<String, T> exact, Map<String, T> wildcard) {
        this.exact = exact;
        this.wildcard = wildcard;
    }

    /** Builds the table from host patterns; of two patterns equal but for case, the first wins. */
    public static <T> SniTable<T> of(Map<String, T> byHost) {
        Map<String, T> exact = new HashMap<>();
        Map<String, T> wildcard = new HashMap<>();
        byHost.forEach((host, value) -> {
            String h = normalize(host);
            if (h.startsWith("*.")) {
                wildcard.putIfAbsent(h.substring(2), value);
            } else {
                exact.putIfAbsent(h, value);
            }
        });
        return new SniTable<>(Map.copyOf(exact), Map.copyOf(wildcard));
    }

    /** What serves {@code serverName}, or null (no SNI, or no binding for it): the caller's default. */
    public T select(String serverName) {
        if (serverName == null || serverName.isEmpty()) {
            return null;
        }
        String h = normalize(serverName);
        T match = exact.get(h);
        if (match == null) {
            int dot = h.indexOf('.');
            if (dot > 0) {
                match = wildcard.get(h.substring(dot + 1));
            }
        }
        return match;
    }

    private static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
