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
    @Option(names = "--proxy-archive", required = true, paramLabel = "FILE", description = "Where the proxy process dumps its archive.")
    Path proxyArchive;

    @Override
    public Integer call() throws Exception {
        CdsTraining.run(proxyArchive);
        return 0;
    }
}
