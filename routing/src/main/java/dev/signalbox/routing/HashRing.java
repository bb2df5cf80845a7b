package dev.signalbox.routing;

import dev.signalbox.schemas.snapshot.Endpoint;
import java.util.Arrays;
import java.util.List;

/**
 * A consistent-hash ring of a backend's endpoints for {@code upstream-hash-by} (issue 18): each endpoint stands at
 * {@value #POINTS} points placed by a hash of its address and port alone, and a key goes to the endpoint of the first
 * point at or after the key's hash. An endpoint added takes about 1/n of the keys and every other key keeps its
 * endpoint; an endpoint removed gives only its own keys away (Karger et al., the ring ketama and nginx's
 * {@code hash ... consistent} use). Immutable; built once per backend version, looked up from any thread.
 */
final class HashRing {
    static final int POINTS = 160;

    /** The points' hashes, ascending. */
    private final long[] points;
    /** The endpoint index (in the backend's list) of each point. */
    private final int[] owners;

    private HashRing(long[] points, int[] owners) {
        this.points = points;
        this.owners = owners;
    }

    static HashRing of(List<Endpoint> endpoints) {
        List<String> labels = new java.util.ArrayList<>(endpoints.size());
        for (Endpoint e : endpoints) {
            labels.add(e.address() + " " + e.port());
        }
        return ofLabels(labels);
    }

    /**
     * A ring of owners known by a label each (an endpoint's address and port, a subset's name): each stands at
     * {@value #POINTS} points placed by a hash of its label alone.
     */
    static HashRing ofLabels(List<String> labels) {
        int n = labels.size() * POINTS;
        long[][] pairs = new long[n][];
        int k = 0;
        for (int i = 0; i < labels.size(); i++) {
            String base = labels.get(i) + " ";
            for (int p = 0; p < POINTS; p++) {
                pairs[k++] = new long[] {hash(base + p), i};
            }
        }
        // Ties (vanishingly rare) are broken by the label, not the index, so they too survive a change.
        Arrays.sort(pairs, (a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0])
                : labels.get((int) a[1]).compareTo(labels.get((int) b[1])));
        long[] points = new long[n];
        int[] owners = new int[n];
        for (int i = 0; i < n; i++) {
            points[i] = pairs[i][0];
            owners[i] = (int) pairs[i][1];
        }
        return new HashRing(points, owners);
    }

    /** Whether the ring has no endpoint. */
    boolean isEmpty() {
        return points.length == 0;
    }

    /** The index of the first point at or after {@code hash}, wrapping round. */
    int start(long hash) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(points[mid], hash) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == points.length ? 0 : lo;
    }

    int size() {
        return points.length;
    }

    /** The endpoint index of point {@code i} (taken modulo the ring's size). */
    int owner(int i) {
        return owners[i % owners.length];
    }

    /** FNV-1a over the UTF-16 units, then MurmurHash3's 64-bit finalizer to spread nearby keys over the ring. */
    static long hash(CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb53fe1a85ec3L;
        h ^= h >>> 33;
        return h;
    }
}
