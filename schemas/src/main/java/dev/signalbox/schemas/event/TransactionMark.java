package dev.signalbox.schemas.event;

import java.util.Objects;

/**
 * The watcher transaction a record of the events topic was committed in, written into every record of
 * it, so a reader can tell when it has a transaction whole: Kafka's consumer API does not say which
 * transaction a record belongs to, and a committed transaction becomes visible partition by partition.
 * One transaction is one source change (a manifest file, a takeover's reconcile, a relist...) or several
 * of them batched; never a part of one.
 *
 * @param producer the Kafka transactional id ({@code signalbox-watcher-<cluster>})
 * @param session  a random id of the producer instance: tells apart two producers of one transactional id
 *                 within one leader epoch (a producer replaced without a new election)
 * @param epoch    the leader epoch of the watcher that wrote it
 * @param sequence the transaction's number within the session: 1, 2, 3…
 * @param records  how many records the transaction holds, in all partitions together (events and markers)
 */
public record TransactionMark(String producer, String session, long epoch, long sequence, int records) {
    public TransactionMark {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(session, "session");
        if (records < 1) {
            throw new IllegalArgumentException("a transaction holds at least one record: " + records);
        }
    }

    /** What identifies the transaction: the same for all of its records. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public Id id() {
        return new Id(producer, session, sequence);
    }

    /** The identity of one transaction. */
    public record Id(String producer, String session, long sequence) {
        @Override
        public String toString() {
            return producer + "/" + session + "#" + sequence;
        }
    }
}
