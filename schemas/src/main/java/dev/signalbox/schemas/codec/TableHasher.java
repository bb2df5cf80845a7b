package dev.signalbox.schemas.codec;

import dev.signalbox.schemas.snapshot.RoutingTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content hash of a {@link RoutingTable}: a hash of the whole table that a reader can update per entry
 * (issue 15), so a delta that changes one backend is checked in time proportional to the number of entries, not to
 * the table's bytes.
 *
 * <p>The definition ({@value #SCHEME}, format version 3): SHA-256 over the ASCII line {@code signalbox-table-tree-1}
 * and a newline, then each of the table's record components in declaration order: a list as its size (4 bytes, big
 * endian) followed by the SHA-256 of each element's canonical JSON in list order; any other component as the
 * SHA-256 of its canonical JSON. Canonical JSON is what {@link Json#MAPPER} writes. A component added to the
 * table is covered without a change here. Anyone can recompute it from a snapshot's JSON: hash each virtual host,
 * backend, TLS binding, Ingress name and diagnostic, then the concatenation.
 *
 * <p>Format versions 1 and 2 used {@value #FLAT_SCHEME}: SHA-256 of the whole table's canonical JSON, which reads
 * every byte of the table for every version (18.8 MB at 10,000 Ingresses). Records written then keep that hash;
 * {@link #hashAs} checks each record by the scheme its hash names.
 *
 * <p>The hasher remembers the digests of the entries of the table it hashed last, list by list. A delta applied to
 * that table, or the incremental compiler's next table, keeps the unchanged entries' instances in the same order,
 * so walking the new list beside the old one finds them by identity without hashing anything; an entry that is not
 * where the walk expects it is looked up by identity in the old list, and when many entries are new instances (a
 * whole compile, a full snapshot decoded) by equality. Only entries found nowhere are serialised and hashed. Not
 * thread-safe: one per reader or compiler thread. It holds 32 bytes per entry.
 */
public final class TableHasher {
    /** The prefix of a hash by this definition. */
    public static final String SCHEME = "sha256-tree:";
    /** The prefix of a hash by the definition of format versions 1 and 2. */
    public static final String FLAT_SCHEME = "sha256:";
    private static final byte[] DOMAIN = "signalbox-table-tree-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final RecordComponent[] COMPONENTS = RoutingTable.class.getRecordComponents();
    private static final int DIGEST = 32;
    /** Entries of a list hashed from scratch before the old list is indexed (a delta's few new entries are not). */
    private static final int MISSES_BEFORE_INDEX = 8;
    /** From this many entries to hash from scratch, they are hashed in parallel (the common fork-join pool). */
    private static final int PARALLEL_FROM = 2048;

    /** Per record component, the list hashed last and its entries' digests; null for a component that is no list. */
    private Digested[] previous = new Digested[COMPONENTS.length];
    /** The table hashed last and its hash: the compiler asks twice for the same table (compare, then publish). */
    private RoutingTable lastTable;
    private String lastHash;

    /** A list and the SHA-256 of each entry's canonical JSON, concatenated in list order. */
    private record Digested(List<?> entries, byte[] digests) {
    }

    /**
     * Takes over what {@code other} holds of the table it hashed last, as if this hasher had hashed it: a compiler
     * that starts from the snapshot its reader just checked then hashes its first table by looking the entries up,
     * not by serialising each one again. Both stay usable (the digests are never changed once made).
     */
    public void adopt(TableHasher other) {
        previous = other.previous.clone();
        lastTable = other.lastTable;
        lastHash = other.lastHash;
    }

    /** The content hash of {@code table} by the current definition, {@value #SCHEME}. */
    public String hash(RoutingTable table) {
        if (table == lastTable) {
            return lastHash;
        }
        Digested[] current = new Digested[COMPONENTS.length];
        MessageDigest digest = Sha256.newDigest();
        digest.update(DOMAIN);
        for (int c = 0; c < COMPONENTS.length; c++) {
            Object v = valueOf(COMPONENTS[c], table);
            if (v instanceof List<?> list) {
                current[c] = digested(list, previous[c]);
                int n = list.size();
                digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
                digest.update(current[c].digests());
            } else {
                digest.update(Sha256.of(json(v)));
            }
        }
        previous = current;
        lastTable = table;
        lastHash = SCHEME + HexFormat.of().formatHex(digest.digest());
        return lastHash;
    }

    /** The digests of {@code list}'s entries, taking each from {@code old} where it holds the entry. */
    private static Digested digested(List<?> list, Digested old) {
        if (old != null && old.entries() == list) {
            return old;
        }
        List<?> before = old == null ? List.of() : old.entries();
        byte[] out = new byte[list.size() * DIGEST];
        Lookup lookup = new Lookup(before);
        List<Integer> missed = new java.util.ArrayList<>();
        int j = 0;
        for (int i = 0; i < list.size(); i++) {
            Object e = list.get(i);
            int at;
            if (j < before.size() && before.get(j) == e) {
                at = j;
            } else if (j + 1 < before.size() && before.get(j + 1) == e) {
                // The old entry at j was removed or replaced.
                at = j + 1;
            } else {
                at = lookup.find(e);
            }
            if (at >= 0) {
                System.arraycopy(old.digests(), at * DIGEST, out, i * DIGEST, DIGEST);
                j = at + 1;
            } else {
                missed.add(i);
            }
        }
        // Entries found nowhere are serialised and hashed, each on its own: a whole table (a proxy's first snapshot)
        // on every core, which is most of a new proxy's time to its first table.
        java.util.stream.Stream<Integer> todo = missed.size() >= PARALLEL_FROM ? missed.parallelStream() : missed.stream();
        todo.forEach(i -> System.arraycopy(Sha256.of(json(list.get(i))), 0, out, i * DIGEST, DIGEST));
        return new Digested(list, out);
    }

    /**
     * Finds an entry of the old list away from where the walk expected it: nowhere for the first few (the entries a
     * delta adds), then by identity, then by equality, each index built once and only when needed.
     */
    private static final class Lookup {
        private final List<?> before;
        private int misses;
        private Map<Object, Integer> byIdentity;
        private Map<Object, Integer> byValue;

        Lookup(List<?> before) {
            this.before = before;
        }

        int find(Object e) {
            if (before.isEmpty() || ++misses <= MISSES_BEFORE_INDEX) {
                return -1;
            }
            if (byIdentity == null) {
                byIdentity = new IdentityHashMap<>(before.size());
                for (int k = 0; k < before.size(); k++) {
                    byIdentity.put(before.get(k), k);
                }
            }
            Integer at = byIdentity.get(e);
            if (at == null && misses > 2 * MISSES_BEFORE_INDEX) {
                if (byValue == null) {
                    byValue = new HashMap<>(before.size() * 2);
                    for (int k = 0; k < before.size(); k++) {
                        byValue.putIfAbsent(before.get(k), k);
                    }
                }
                at = byValue.get(e);
            }
            return at == null ? -1 : at;
        }
    }

    /**
     * The content hash of {@code table} by the definition {@code recorded} names: what a reader compares a record's
     * hash with. A record of format version 1 or 2 has a {@value #FLAT_SCHEME} hash.
     */
    public String hashAs(String recorded, RoutingTable table) {
        return recorded != null && recorded.startsWith(FLAT_SCHEME) ? flat(table) : hash(table);
    }

    /** The hash of format versions 1 and 2: SHA-256 of the table's canonical JSON. */
    public static String flat(RoutingTable table) {
        return FLAT_SCHEME + HexFormat.of().formatHex(Sha256.of(json(table)));
    }

    private static Object valueOf(RecordComponent c, RoutingTable table) {
        try {
            return c.getAccessor().invoke(table);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("RoutingTable." + c.getName(), e);
        }
    }

    private static byte[] json(Object value) {
        try {
            return Json.MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
