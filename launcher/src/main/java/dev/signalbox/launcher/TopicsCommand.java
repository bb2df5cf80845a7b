package dev.signalbox.launcher;

import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.topics.DescribedTopic;
import dev.signalbox.schemas.topics.Severity;
import dev.signalbox.schemas.topics.TopicCheck;
import dev.signalbox.schemas.topics.TopicProblem;
import dev.signalbox.schemas.topics.TopicRequirement;
import dev.signalbox.schemas.topics.TopicRequirements;
import dev.signalbox.snapshotlog.topics.KafkaTopics;
import dev.signalbox.snapshotlog.topics.TopicsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/ingress topics create|check}: Signalbox's topics on an external Kafka. Both parse, call
 * {@link KafkaTopics} (describe, create) and the pure {@link TopicCheck}, and print a table (or, with
 * {@code --output json}, one JSON document on stdout). Exit status: 0
 * all is well, 1 a topic is missing or has a setting that breaks Signalbox (or Kafka refused), 3 Kafka is
 * unreachable.
 */
@Command(name = "topics", header = "Creates or checks Signalbox's topics on an external Kafka.",
        mixinStandardHelpOptions = true, synopsisSubcommandLabel = "create | check",
        description = {"Signalbox's topics: events, snapshots and the compiler's checkpoint, with the settings they need.",
            "Exit status: 0 all is well, 1 a topic is missing or a setting breaks Signalbox, 2 usage, 3 Kafka unreachable."},
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Check.class})
final class TopicsCommand implements Runnable {
    static final int UNREACHABLE = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "create or check is required");
    }

    @Command(name = "create", header = "Creates every missing Signalbox topic with the settings it needs.",
            mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
            description = {"Creates each missing topic with its partitions and settings; an existing topic is left as it is",
                "and checked like `topics check` does (run it again: nothing changes). Exit 1 when a topic's setting breaks Signalbox."})
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOption kafka;

        @Mixin
        OutputOption output;

        @Option(names = "--partitions", defaultValue = "" + TopicRequirements.DEFAULT_EVENT_PARTITIONS, paramLabel = "N",
                description = "The events topic's partitions (fixed for good: the events are keyed by object). The other topics have 1.")
        int partitions;

        @Option(names = "--replication-factor", paramLabel = "R",
                description = "Replicas of each topic. Default: 3, or the number of brokers when fewer.")
        Integer replicationFactor;

        @Override
        public Integer call() {
            if (partitions < 1) {
                throw new ParameterException(spec.commandLine(), "--partitions must be at least 1, not " + partitions);
            }
            if (replicationFactor != null && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
                throw new ParameterException(spec.commandLine(), "--replication-factor must be at least 1, not " + replicationFactor);
            }
            List<TopicRequirement> required = TopicRequirements.all(partitions);
            KafkaOption.quietClientLogs();
            PrintStream out = System.out;
            try (KafkaTopics topics = KafkaTopics.connect(kafka.connection(), TIMEOUT)) {
                List<String> created = topics.createMissing(required, Optional.ofNullable(replicationFactor));
                Map<String, DescribedTopic> found = topics.describe(required.stream().map(TopicRequirement::name).toList());
                for (TopicRequirement r : required) {
                    DescribedTopic t = found.get(r.name());
                    if (output.json()) {
                        continue;
                    }
                    if (created.contains(r.name()) && t != null) {
                        out.println("created " + r.name() + " (" + plural(t.partitions(), "partition") + ", "
                                + plural(t.replicationFactor(), "replica") + "): " + r.createConfigs(t.replicationFactor()));
                    } else {
                        out.println("exists  " + r.name() + " (left as it is)");
                    }
                }
                return report(out, output.format, required, found, created, kafka.bootstrap());
            } catch (TopicsException e) {
                return failed(e);
            }
        }
    }

    @Command(name = "check", header = "Lists Signalbox's topics and every setting that differs from what Signalbox needs.",
            mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Prints each topic with its partitions and replicas, then each setting that differs from what",
                "Signalbox needs, with the command that fixes it. Exit 1 when a topic is missing or a setting breaks Signalbox."})
    static final class Check implements Callable<Integer> {
        @Mixin
        KafkaOption kafka;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            List<TopicRequirement> required = TopicRequirements.all(TopicRequirements.DEFAULT_EVENT_PARTITIONS);
            KafkaOption.quietClientLogs();
            try (KafkaTopics topics = KafkaTopics.connect(kafka.connection(), TIMEOUT)) {
                topics.brokerCount();
                Map<String, DescribedTopic> found = topics.describe(required.stream().map(TopicRequirement::name).toList());
                return report(System.out, output.format, required, found, List.of(), kafka.bootstrap());
            } catch (TopicsException e) {
                return failed(e);
            }
        }
    }

    /** One topic in {@code --output json}; partitions and replicas are absent when it does not exist. */
    record TopicRow(String name, boolean exists, boolean created, Integer partitions, Integer replicationFactor) {
    }

    /** The JSON document: the topics, every problem, and whether one breaks Signalbox (then the exit status is 1). */
    record JsonReport(String kafka, List<TopicRow> topics, List<TopicProblem> problems, boolean breaks) {
    }

    /** Prints the topics and the problems; 1 when one breaks Signalbox, else 0. */
    static int report(PrintStream out, OutputOption.Format output, List<TopicRequirement> required, Map<String, DescribedTopic> found,
                      List<String> created, String bootstrap) {
        List<TopicProblem> problems = TopicCheck.check(required, found, bootstrap);
        boolean breaks = TopicCheck.breaks(problems);
        if (output == OutputOption.Format.json) {
            List<TopicRow> topics = required.stream().map(r -> {
                DescribedTopic t = found.get(r.name());
                return new TopicRow(r.name(), t != null, created.contains(r.name()), t == null ? null : t.partitions(),
                        t == null ? null : t.replicationFactor());
            }).toList();
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter()
                        .writeValueAsString(new JsonReport(bootstrap, topics, problems, breaks)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return breaks ? 1 : 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TOPIC", "PARTITIONS", "REPLICAS", "STATUS"});
        for (TopicRequirement r : required) {
            DescribedTopic t = found.get(r.name());
            List<TopicProblem> mine = problems.stream().filter(p -> p.topic().equals(r.name())).toList();
            long breaking = mine.stream().filter(p -> p.severity() == Severity.BREAKS).count();
            String status = t == null ? "MISSING"
                    : breaking > 0 ? "BREAKS (" + breaking + " setting" + (breaking > 1 ? "s" : "") + ")"
                    : mine.isEmpty() ? "ok" : "ok, " + mine.size() + " difference" + (mine.size() > 1 ? "s" : "");
            rows.add(new String[] {r.name(), t == null ? "-" : String.valueOf(t.partitions()),
                t == null ? "-" : String.valueOf(t.replicationFactor()), status});
        }
        int[] widths = new int[4];
        rows.forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        });
        for (String[] row : rows) {
            out.printf("%-" + widths[0] + "s  %-" + widths[1] + "s  %-" + widths[2] + "s  %s%n", (Object[]) row);
        }
        for (TopicProblem p : problems) {
            out.println();
            out.println(p.setting().equals(TopicProblem.MISSING) ? p.topic() + " is missing"
                    : p.topic() + " " + p.setting() + ": found " + p.found() + ", Signalbox needs " + p.required());
            out.println("  " + (p.severity() == Severity.BREAKS ? "BREAKS Signalbox: " : "differs: ") + p.why());
            out.println("  fix: " + p.fix());
        }
        if (breaks) {
            out.println();
            out.println("signalbox: " + problems.stream().filter(p -> p.severity() == Severity.BREAKS).count()
                    + " problem(s) break Signalbox on Kafka at " + bootstrap);
            return 1;
        }
        return 0;
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private static int failed(TopicsException e) {
        System.err.println("signalbox: " + e.getMessage());
        return e.reason() == TopicsException.Reason.UNREACHABLE ? UNREACHABLE : 1;
    }
}
