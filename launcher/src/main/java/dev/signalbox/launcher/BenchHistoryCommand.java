package dev.signalbox.launcher;

import dev.signalbox.launcher.bench.HistoryGenerator;
import dev.signalbox.schemas.topics.TopicRequirements;
import dev.signalbox.snapshotlog.topics.KafkaTopics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bin/ingress bench-history}: writes a long routing history for timing the audit commands. */
@Command(name = "bench-history", header = "Writes N versions of routing history, for timing history/show/explain.",
        mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Creates the topics if needed, then writes --versions snapshots through the snapshot codec and "
            + "writer, timestamped evenly over the past --days, each caused by one event in the events topic. The "
            + "topics must be empty (use a new broker: bin/ingress kafka --data-dir DIR). docs/benchmarks.md has "
            + "the commands that time the questions against it.")
final class BenchHistoryCommand implements Callable<Integer> {
    @Mixin
    KafkaOption kafka;

    @Option(names = "--versions", defaultValue = "100000", paramLabel = "N", description = "Versions to write.")
    int versions;

    @Option(names = "--hosts", defaultValue = "20", paramLabel = "N", description = "Hosts (Ingresses) in every table.")
    int hosts;

    @Option(names = "--days", defaultValue = "10", paramLabel = "D", description = "The history spans the past D days.")
    int days;

    @Override
    public Integer call() throws Exception {
        try (KafkaTopics topics = KafkaTopics.connect(kafka.connection(), Duration.ofSeconds(30))) {
            topics.createMissing(TopicRequirements.all(3), Optional.of(1));
        }
        HistoryGenerator.run(new HistoryGenerator.Settings(kafka.connection(), versions, hosts, Duration.ofDays(days)),
                System.out);
        return 0;
    }
}
