package dev.signalbox.watcher.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.watcher.kafka.TransactionErrors.Verdict;
import java.util.stream.Stream;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TransactionErrorsTest {
    static Stream<Arguments> cases() {
        IllegalStateException mustBeRetried = new IllegalStateException("Cannot attempt operation `abortTransaction` because the"
                + " previous call to `commitTransaction` timed out and must be retried");
        return Stream.of(
                Arguments.of("a commit that timed out is committed again", new TimeoutException("Timeout expired after 15000ms"),
                        true, Verdict.RETRY_COMMIT),
                Arguments.of("a send or begin that timed out aborts and sends again", new TimeoutException("Topic not present"),
                        false, Verdict.ABORT_AND_RETRY),
                Arguments.of("Kafka saying fenced is fencing", new ProducerFencedException("newer producer"), true, Verdict.FENCED),
                Arguments.of("an old producer epoch is fencing", new InvalidProducerEpochException("old epoch"), false, Verdict.FENCED),
                Arguments.of("fencing as the cause of a fatal state is fencing",
                        new KafkaException("Cannot execute transactional method because we are in an error state",
                                new ProducerFencedException("newer producer")), false, Verdict.FENCED),
                Arguments.of("an abort refused after a commit timeout is not fencing", mustBeRetried, false, Verdict.REPLACE_PRODUCER),
                Arguments.of("not authorised needs a new producer, it is not fencing", new TopicAuthorizationException("no"),
                        true, Verdict.REPLACE_PRODUCER),
                Arguments.of("an unsupported broker needs a new producer", new UnsupportedVersionException("old broker"),
                        false, Verdict.REPLACE_PRODUCER),
                Arguments.of("an abortable transaction error aborts and sends again", new TransactionAbortableException("abortable"),
                        true, Verdict.ABORT_AND_RETRY),
                Arguments.of("a failed send wrapped by the commit aborts and sends again",
                        new KafkaException("Cannot execute transactional method because we are in an error state",
                                new TimeoutException("Expiring 1 record(s)")), true, Verdict.ABORT_AND_RETRY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesWhatAnErrorMeans(String name, Throwable error, boolean duringCommit, Verdict expected) {
        assertEquals(expected, TransactionErrors.of(error, duringCommit));
    }
}
