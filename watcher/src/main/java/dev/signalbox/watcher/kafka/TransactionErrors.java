package dev.signalbox.watcher.kafka;

import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * What an error of the watcher's transactional producer means: the one place that decides fatal versus
 * retriable for it (the publishing thread and the takeover both ask here). Pure.
 *
 * <p>Follows the contract of {@code KafkaProducer}: a {@code commitTransaction()} that times out after
 * {@code max.block.ms} may still complete and must be called again (calling {@code abortTransaction()}
 * instead is refused with {@code IllegalStateException}, "must be retried"); only Kafka saying that a newer
 * producer holds the transactional id is fencing ({@code ProducerFencedException}, or
 * {@code InvalidProducerEpochException}, which Kafka Streams also treats as fencing).
 */
public final class TransactionErrors {
    private TransactionErrors() {
    }

    /** What to do after a failed call. */
    public enum Verdict {
        /** Kafka says a newer producer holds the transactional id: this one can never publish again. */
        FENCED,
        /** {@code commitTransaction()} timed out: its outcome is not known yet; call it again. */
        RETRY_COMMIT,
        /** The transaction failed (Kafka unreachable or slow, an abortable error): abort, send the batch again. */
        ABORT_AND_RETRY,
        /** The producer is unusable but nobody fenced it (not authorised, unsupported, illegal state): use a new one. */
        REPLACE_PRODUCER
    }

    /**
     * @param duringCommit whether {@code e} came from {@code commitTransaction()}
     */
    public static Verdict of(Throwable e, boolean duringCommit) {
        if (isFencing(e)) {
            return Verdict.FENCED;
        }
        if (duringCommit && e instanceof TimeoutException) {
            return Verdict.RETRY_COMMIT;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthorizationException || t instanceof UnsupportedVersionException
                    || t instanceof IllegalStateException) {
                return Verdict.REPLACE_PRODUCER;
            }
        }
        return Verdict.ABORT_AND_RETRY;
    }

    /** True when Kafka said, anywhere in the cause chain, that a newer producer fenced this one. */
    public static boolean isFencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }
}
