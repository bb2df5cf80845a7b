package dev.signalbox.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The entry point behind {@code bin/ingress}: one picocli subcommand per verb. {@code local} runs the whole
 * pipeline on this machine; {@code watcher}, {@code compiler} and {@code proxy} run one component against an
 * external Kafka; {@code topics} creates or checks their topics there; {@code bench} measures propagation; {@code kafka} runs one Kafka node (the chaos tests start
 * a three-node cluster this way). {@code bin/ingress chaos} is the script's own (it runs Maven). Each command
 * parses and checks its options, builds the component's typed configuration and calls its {@code run}.
 * Exit status: 0 done, 1 failed, 2 usage error, 3 a compiler not authorised on its topics (or, for {@code topics}, Kafka
 * unreachable).
 */
@Command(name = "ingress", mixinStandardHelpOptions = true, versionProvider = Launcher.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Signalbox, an event-sourced Kubernetes Ingress controller on Apache Kafka.",
        subcommands = {LocalCommand.class, WatcherCommand.class, CompilerCommand.class, ProxyCommand.class,
            TopicsCommand.class, BenchCommand.class, BenchHistoryCommand.class, BenchSizingCommand.class, BenchClustersCommand.class, PerfCommand.class, KafkaCommand.class, HistoryCommand.class,
            ShowCommand.class, DiffCommand.class, ExplainCommand.class, VerifyCommand.class, FleetCommand.class,
            ClusterCommand.class, MigrateCommand.class,
            CdsTrainingCommand.class, HelpCommand.class},
        footer = {"  chaos     The fault scenarios (Maven), then their figures as one table.",
            "",
            "Exit status: 0 done, 1 failed (or a negative answer: explain found no route, verify a difference),",
            "2 usage error, 3 compiler not authorised (or, for topics and the questions about routing, Kafka unreachable).",
            "'bin/ingress COMMAND --help' shows a command's options and their defaults."})
public final class Launcher implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command tree, as {@code main} runs it (the tests parse with it too). */
    public static CommandLine commandLine() {
        return new CommandLine(new Launcher()).setUsageHelpAutoWidth(true);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }

    /** The version the jar's manifest carries. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Launcher.class.getPackage().getImplementationVersion();
            return new String[] {"Signalbox " + (v == null ? "(development build)" : v)};
        }
    }
}
