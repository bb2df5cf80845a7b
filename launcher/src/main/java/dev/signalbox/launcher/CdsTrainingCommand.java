package dev.signalbox.launcher;

import dev.signalbox.launcher.cds.CdsTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The build's class-data-sharing training run (launcher/pom.xml, execution cds-archive); not for people. */
@Command(name = "cds-training", hidden = true, mixinStandardHelpOptions = true,
        description = "The class-data-sharing training run the build and the Dockerfile make.")
final class CdsTrainingCommand implements Callable<Integer> {
    /** The audit commands, as people and tools run them, with their output thrown away. */
    static void askQuestions(String bootstrap) {
        String[][] questions = {
            {"history", "--limit", "5"}, {"history", "--since", "1h", "--output", "json"},
            {"show", "--version", "1"}, {"show", "--at", "1m", "--output", "json"},
            {"explain", "--host", "training.local", "--path", "/"}, {"explain", "--host", "nowhere.local", "--path", "/",
                "--output", "json"},
            {"diff", "1", "1"}, {"fleet", "--output", "json"}};
        for (String[] q : questions) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(q));
            args.addAll(1, java.util.List.of("--kafka", bootstrap));
            picocli.CommandLine cl = Launcher.commandLine();
            cl.setOut(new java.io.PrintWriter(java.io.Writer.nullWriter()));
            cl.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));
            cl.execute(args.toArray(String[]::new));
        }
    }

    @Option(names = "--proxy-archive", required = true, paramLabel = "FILE", description = "Where the proxy process dumps its archive.")
    Path proxyArchive;

    @Override
    public Integer call() throws Exception {
        CdsTraining.run(proxyArchive, CdsTrainingCommand::askQuestions);
        return 0;
    }
}
