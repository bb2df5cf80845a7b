package dev.signalbox.schemas.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A set of CIDR blocks compiled once into sorted, merged address intervals (IPv4 and IPv6 apart), so that asking
 * whether an address is in it is a binary search: no allocation beyond parsing the address, whatever the number of
 * blocks. Used for the source ranges of routes (built once per snapshot) and the trusted proxies (once at start).
 * Immutable; any thread.
 */
public final class CidrSet {
    public static final CidrSet EMPTY = new CidrSet(List.of(), new long[0], new long[0]);

    /** The blocks as given, normalised (network address and prefix length), sorted, without repeats. */
    private final List<String> blocks;
    /** IPv4 intervals: starts and ends (inclusive), as unsigned 32-bit values. */
    private final long[] v4;
    /** IPv6 intervals: for interval k, hi/lo of start at [4k], [4k+1], of end at [4k+2], [4k+3]. */
    private final long[] v6;

    private CidrSet(List<String> blocks, long[] v4, long[] v6) {
        this.blocks = blocks;
        this.v4 = v4;
        this.v6 = v6;
    }

    /**
     * One block of a list, parsed: a CIDR ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; bits past the prefix are
     * dropped, as Go's net.ParseCIDR does) or a single address (a /32 or /128).
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static Block block(String text) {
        String e = text.trim();
        int slash = e.indexOf('/');
        byte[] address = IpAddresses.parse(slash < 0 ? e : e.substring(0, slash), false);
        if (address == null) {
            throw new IllegalArgumentException("\"" + e + "\" is not an IP address or CIDR block");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = e.substring(slash + 1);
            prefix = p.matches("[0-9]{1,3}") ? Integer.parseInt(p) : -1;
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("\"" + e + "\" has no valid " + (bits == 32 ? "IPv4" : "IPv6")
                        + " prefix length (0 to " + bits + ")");
            }
        }
        byte[] network = address.clone();
        for (int i = 0; i < network.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            network[i] &= (byte) (0xff << (8 - keep));
        }
        return new Block(network, prefix);
    }

    /** A CIDR block: its network address and prefix length. */
    public record Block(byte[] network, int prefix) {
        /** As {@code 10.0.0.0/8}, {@code 2001:db8::/32}. */
        public String text() {
            return IpAddresses.format(network) + "/" + prefix;
        }
    }

    /**
     * Parses a comma-separated list ({@code 10.0.0.0/8, 192.0.2.7, fd00::/8}); empty entries are skipped.
     *
     * @throws IllegalArgumentException naming the first entry that is not a block
     */
    public static CidrSet parse(String list) {
        List<String> entries = new ArrayList<>();
        for (String entry : list.split(",")) {
            if (!entry.isBlank()) {
                entries.add(entry);
            }
        }
        return of(entries);
    }

    /** The set of {@code entries}, each a block or an address. @throws IllegalArgumentException as {@link #block} */
    public static CidrSet of(List<String> entries) {
        List<Block> parsed = new ArrayList<>();
        for (String e : entries) {
            parsed.add(block(e));
        }
        List<String> texts = new ArrayList<>(parsed.stream().map(Block::text).distinct().sorted().toList());
        List<long[]> four = new ArrayList<>();
        List<long[]> six = new ArrayList<>();
        for (Block b : parsed) {
            if (b.network.length == 4) {
                long start = toLong(b.network, 0, 4);
                long size = 1L << (32 - b.prefix);
                four.add(new long[] {start, start + size - 1});
            } else {
                long hi = toLong(b.network, 0, 8);
                long lo = toLong(b.network, 8, 8);
                long hiMask = b.prefix >= 64 ? 0 : (b.prefix == 0 ? -1L : -1L >>> b.prefix);
                long loMask = b.prefix <= 64 ? -1L : (b.prefix == 128 ? 0 : -1L >>> (b.prefix - 64));
                six.add(new long[] {hi, lo, hi | hiMask, lo | loMask});
            }
        }
        return new CidrSet(Collections.unmodifiableList(texts), merge4(four), merge6(six));
    }

    private static long toLong(byte[] b, int from, int n) {
        long v = 0;
        for (int i = from; i < from + n; i++) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    private static long[] merge4(List<long[]> intervals) {
        intervals.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] iv : intervals) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && iv[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], iv[1]);
            } else {
                merged.add(iv.clone());
            }
        }
        long[] out = new long[merged.size() * 2];
        for (int i = 0; i < merged.size(); i++) {
            out[2 * i] = merged.get(i)[0];
            out[2 * i + 1] = merged.get(i)[1];
        }
        return out;
    }

    private static int compare(long hiA, long loA, long hiB, long loB) {
        int c = Long.compareUnsigned(hiA, hiB);
        return c != 0 ? c : Long.compareUnsigned(loA, loB);
    }

    private static long[] merge6(List<long[]> intervals) {
        intervals.sort((a, b) -> compare(a[0], a[1], b[0], b[1]));
        List<long[]> merged = new ArrayList<>();
        for (long[] iv : intervals) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            boolean touches = last != null && (compare(iv[0], iv[1], last[2], last[3]) <= 0
                    || follows(last[2], last[3], iv[0], iv[1]));
            if (touches) {
                if (compare(iv[2], iv[3], last[2], last[3]) > 0) {
                    last[2] = iv[2];
                    last[3] = iv[3];
                }
            } else {
                merged.add(iv.clone());
            }
        }
        long[] out = new long[merged.size() * 4];
        for (int i = 0; i < merged.size(); i++) {
            System.arraycopy(merged.get(i), 0, out, 4 * i, 4);
        }
        return out;
    }

    /** Whether address (hi2, lo2) is address (hi, lo) plus one. */
    private static boolean follows(long hi, long lo, long hi2, long lo2) {
        long l = lo + 1;
        long h = l == 0 ? hi + 1 : hi;
        return (hi != -1L || lo != -1L) && h == hi2 && l == lo2;
    }

    /** Whether {@code address}, an IP literal (IPv4-mapped IPv6 counts as IPv4; a zone is ignored), is in a block. */
    public boolean contains(String address) {
        if (isEmpty()) {
            return false;
        }
        byte[] a = IpAddresses.parse(address, true);
        return a != null && contains(a);
    }

    /** Whether the address of these bytes (4 or 16) is in a block. */
    public boolean contains(byte[] a) {
        if (a.length == 4) {
            long v = toLong(a, 0, 4);
            int lo = 0;
            int hi = v4.length / 2 - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (v < v4[2 * mid]) {
                    hi = mid - 1;
                } else if (v > v4[2 * mid + 1]) {
                    lo = mid + 1;
                } else {
                    return true;
                }
            }
            return false;
        }
        long h = toLong(a, 0, 8);
        long l = toLong(a, 8, 8);
        int lo = 0;
        int hi = v6.length / 4 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(h, l, v6[4 * mid], v6[4 * mid + 1]) < 0) {
                hi = mid - 1;
            } else if (compare(h, l, v6[4 * mid + 2], v6[4 * mid + 3]) > 0) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return v4.length == 0 && v6.length == 0;
    }

    /** The blocks, normalised and sorted: what the compiler writes into a snapshot. */
    public List<String> blocks() {
        return blocks;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CidrSet c && Arrays.equals(v4, c.v4) && Arrays.equals(v6, c.v6);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(v4) + Arrays.hashCode(v6);
    }

    @Override
    public String toString() {
        return blocks.toString();
    }
}
