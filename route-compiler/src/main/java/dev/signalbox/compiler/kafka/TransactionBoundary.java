package dev.signalbox.compiler.kafka;

import dev.signalbox.schemas.event.TransactionMark;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which of the records read but not yet applied a version may contain (issue 21): only whole watcher
 * transactions. Kafka makes a committed transaction visible partition by partition, as its commit markers
 * are written, so neither "everything polled so far" nor the read_committed end offsets taken at one instant
 * are a safe cut: either may hold one partition's part of a transaction and not another's. The watcher writes
 * into every record its transaction's id and how many records it holds ({@link TransactionMark}); a
 * transaction is complete once that many of its records were read.
 *
 * <p>The cut must also keep each partition in order: a partition's records are applied as a prefix. So the
 * answer is the largest set of complete transactions whose records all lie in those prefixes: start from
 * every complete transaction, cut each partition before its first record of a transaction outside the set,
 * drop from the set any transaction with a record past a cut, and repeat until nothing changes. A record
 * written outside a transaction (an older watcher, a tool, an undecodable record) is a transaction of its
 * own. A transaction the caller gave up on (its missing records never came) counts as complete.
 *
 * <p>Pure: the caller owns the consumer, the buffers and the clock. Not thread-safe (no state).
 */
final class TransactionBoundary {
    private TransactionBoundary() {
    }

    /**
     * A record read but not applied: its offset and its transaction (null: a transaction of its own).
     *
     * @param records how many records its transaction holds (ignored without a transaction)
     */
    record Pending(long offset, TransactionMark.Id transaction, int records) {
        static Pending alone(long offset) {
            return new Pending(offset, null, 1);
        }
    }

    /**
     * @param partitions every partition's pending records, in offset order
     * @param givenUp    transactions to apply as they are, although not every record of them was read
     * @return per partition, how many of its first pending records may be applied now
     */
    static int[] applicable(List<List<Pending>> partitions, Set<TransactionMark.Id> givenUp) {
        Map<TransactionMark.Id, Integer> read = new HashMap<>();
        Map<TransactionMark.Id, Integer> size = new HashMap<>();
        for (List<Pending> p : partitions) {
            for (Pending r : p) {
                if (r.transaction() != null) {
                    read.merge(r.transaction(), 1, Integer::sum);
                    size.putIfAbsent(r.transaction(), r.records());
                }
            }
        }
        Set<TransactionMark.Id> whole = new HashSet<>();
        read.forEach((id, n) -> {
            if (n >= size.get(id) || givenUp.contains(id)) {
                whole.add(id);
            }
        });
        int[] cut = new int[partitions.size()];
        while (true) {
            Map<TransactionMark.Id, Integer> inside = new HashMap<>();
            for (int i = 0; i < partitions.size(); i++) {
                List<Pending> p = partitions.get(i);
                int n = 0;
                while (n < p.size() && (p.get(n).transaction() == null || whole.contains(p.get(n).transaction()))) {
                    if (p.get(n).transaction() != null) {
                        inside.merge(p.get(n).transaction(), 1, Integer::sum);
                    }
                    n++;
                }
                cut[i] = n;
            }
            // A transaction with a record past some partition's cut cannot be applied yet: drop it and cut again.
            boolean dropped = whole.removeIf(id -> !inside.getOrDefault(id, 0).equals(read.get(id)));
            if (!dropped) {
                return cut;
            }
        }
    }
}
