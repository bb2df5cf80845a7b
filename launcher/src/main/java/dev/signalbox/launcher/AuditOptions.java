package dev.signalbox.launcher;

import dev.signalbox.launcher.audit.AuditLog;
import dev.signalbox.launcher.audit.KafkaUnavailable;
import dev.signalbox.routing.audit.TimePoint;
import dev.signalbox.schemas.codec.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every question about routing history takes ({@code history}, {@code show}, {@code diff}, {@code explain},
 * {@code verify}, {@code fleet}; a picocli mixin): {@code --kafka} and {@code --output table|json}, and how they
 * answer: a table for people or one JSON document on stdout, messages on stderr, exit 0 done, 1 the answer is
 * negative, 2 usage error, 3 Kafka unreachable or a topic missing.
 */
final class AuditOptions {
    static final int DONE = 0;
    static final int NEGATIVE = 1;
    static final int KAFKA_UNAVAILABLE = 3;
    /** How long to wait for a broker to answer before exit 3. */
    static final java.time.Duration CONNECT_WAIT = java.time.Duration.ofSeconds(5);

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Mixin
    KafkaOption kafka;

    @Mixin
    OutputOption output;

    /** The clock relative times are read against; tests fix it. */
    Clock clock = Clock.systemUTC();

    boolean json() {
        return output.json();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Instant now() {
        return clock.instant();
    }

    /** Parses a time option, RFC 3339 or relative; a bad one is a usage error naming the option. */
    Instant time(String option, String text) {
        try {
            return TimePoint.parse(text, now());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Opens the logs, runs the question, and turns Kafka being away into exit status 3 with a message. */
    int run(Function<AuditLog, Integer> question) {
        KafkaOption.quietClientLogs();
        try (AuditLog log = AuditLog.open(kafka.connection(), CONNECT_WAIT)) {
            return question.apply(log);
        } catch (KafkaUnavailable e) {
            err().println("signalbox: " + e.getMessage());
            err().flush();
            return KAFKA_UNAVAILABLE;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            err().println("signalbox: Kafka at " + kafka.bootstrap() + " did not answer: " + e.getMessage());
            err().flush();
            return KAFKA_UNAVAILABLE;
        }
    }

    /** Prints one JSON document on stdout. */
    void printJson(Object document) {
        try {
            out().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(document));
            out().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A message for people, on stderr (never mixed into the JSON document). */
    void message(String text) {
        err().println(text);
        err().flush();
    }

    String when(Instant t) {
        return t == null ? "-" : t + " (" + TimePoint.relative(t, now()) + ")";
    }
}
