package dev.signalbox.routing;

import java.util.Locale;
import java.util.Map;

/**
 * An immutable map from lower-case host names to values, looked up by a region of a Host header without
 * copying it: the request's "App-7.Test:8080" finds "app-7.test" with no substring and no lower-cased copy, so
 * routing a request allocates nothing to find its host (issue 15). Open addressing with linear probing over a
 * power-of-two table at most half full; the hash is {@link String#hashCode()} of the lower-cased region, so a
 * key's own cached hash serves when the table is built. Read by any event loop concurrently (it never changes).
 */
final class HostIndex<V> {
    private final String[] keys;
    private final int[] hashes;
    private final Object[] values;
    private final int mask;
    private final int size;

    HostIndex(Map<String, V> entries) {
        int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 - 1)) << 1;
        keys = new String[capacity];
        hashes = new int[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        size = entries.size();
        for (Map.Entry<String, V> e : entries.entrySet()) {
            String k = e.getKey();
            if (!k.equals(k.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("host key is not lower-case: " + k);
            }
            int h = k.hashCode();
            int i = spread(h) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = k;
            hashes[i] = h;
            values[i] = e.getValue();
        }
    }

    private HostIndex(HostIndex<V> base) {
        keys = base.keys;
        hashes = base.hashes;
        values = base.values.clone();
        mask = base.mask;
        size = base.size;
    }

    /**
     * This index with new values for some of its keys (each lower-case and already here): the keys are shared,
     * the values copied, so a version that changed a few hosts' routes costs one array copy, not a rebuild.
     */
    HostIndex<V> withValues(Map<String, V> replaced) {
        if (replaced.isEmpty()) {
            return this;
        }
        HostIndex<V> out = new HostIndex<>(this);
        for (Map.Entry<String, V> e : replaced.entrySet()) {
            String k = e.getKey();
            int i = spread(k.hashCode()) & mask;
            while (keys[i] != null && !keys[i].equals(k)) {
                i = (i + 1) & mask;
            }
            if (keys[i] == null) {
                throw new IllegalArgumentException("host " + k + " is not in the index");
            }
            out.values[i] = e.getValue();
        }
        return out;
    }

    int size() {
        return size;
    }

    /** The value of the whole lower-case {@code host}, or null. */
    V get(String host) {
        return get(host, 0, host.length());
    }

    /**
     * The value of the host {@code s[from, to)} compared without regard to ASCII case, or null. A region with a
     * character outside ASCII is looked up by its {@link Locale#ROOT} lower-cased copy, as a String key would be.
     */
    V get(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                String lower = s.substring(from, to).toLowerCase(Locale.ROOT);
                return find(lower, 0, lower.length(), lower.hashCode());
            }
            h = 31 * h + lowerAscii(c);
        }
        return find(s, from, to, h);
    }

    @SuppressWarnings("unchecked")
    private V find(String s, int from, int to, int h) {
        int len = to - from;
        for (int i = spread(h) & mask; keys[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && keys[i].length() == len && keys[i].regionMatches(true, 0, s, from, len)) {
                return (V) values[i];
            }
        }
        return null;
    }

    private static char lowerAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
