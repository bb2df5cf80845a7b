package dev.signalbox.launcher;

import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.compiler.CompilerMain;
import dev.signalbox.compiler.election.LeaseTiming;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bin/ingress compiler}: one route-compiler against an external Kafka. */
@Command(header = "Events -> versioned routing snapshots, exactly once.", name = "compiler", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Folds the events into the cluster model and publishes versioned routing snapshots, exactly once.",
            "Run any number: one is active (holds the lease in signalbox.compiler.lease), the others stand by and take"
                    + " over when it stops renewing. A fenced compiler goes back to standby.",
            "Stops cleanly on SIGTERM, handing the lease over at once; exits 3 when not authorised."})
final class CompilerCommand implements Callable<Integer> {
    @Mixin
    KafkaOption kafka;

    @Mixin
    TopicCreationOption topics;

    @Option(names = "--hold-off-ms", defaultValue = "5", paramLabel = "MS", converter = Port.Millis.class,
            description = "A change this long after the last publish is published at once; sooner ones when no event came for this long.")
    Duration holdOff;

    @Option(names = "--max-delay-ms", defaultValue = "200", paramLabel = "MS", converter = Port.Millis.class,
            description = "Publish at the latest this long after the first unpublished change.")
    Duration maxDelay;

    @Option(names = "--sync-timeout-ms", defaultValue = "30000", paramLabel = "MS", converter = Port.Millis.class,
            description = "How long a cluster whose watcher writes but has not recorded the end of its initial list holds"
                    + " back publishing; then it gets a diagnostic and the others go on.")
    Duration syncTimeout;

    @Option(names = "--cluster-stale-after", defaultValue = "30s", paramLabel = "TIME", converter = Port.Span.class,
            description = "A cluster whose watcher sent heartbeats and then nothing for this long is recorded as stale"
                    + " (an event in the log): its endpoints leave merged Services that another cluster serves.")
    Duration clusterStaleAfter;

    /** What happens to a stale cluster's endpoints in merged Services. */
    enum StaleEndpoints { withdraw, keep }

    @Option(names = "--stale-endpoints", defaultValue = "withdraw", paramLabel = "withdraw|keep",
            description = "withdraw: a stale cluster's endpoints leave merged Services while another cluster serves them;"
                    + " keep: they stay, marked stale in /routes.")
    StaleEndpoints staleEndpoints;

    @Option(names = {"--lease-time-ms", "--lease-time"}, defaultValue = "1500", paramLabel = "MS", converter = Port.Millis.class,
            description = "A standby takes over when the active compiler has not renewed its lease (every quarter of this) for this long.")
    Duration leaseTime;

    @Option(names = "--admin-port", defaultValue = "9102", paramLabel = "PORT", converter = Port.Converter.class,
            description = "The admin port: /healthz, /readyz (a standby; or active, model current and publishing), /metrics. 0: any free port.")
    int adminPort;

    CompilerConfig config() {
        return CompilerConfig.defaults(kafka.bootstrap()).withBatching(holdOff, maxDelay).withSyncTimeout(syncTimeout)
                .withKafkaSettings(kafka.settings())
                .withLiveness(new CompilerConfig.Liveness(clusterStaleAfter, staleEndpoints == StaleEndpoints.keep));
    }

    @Spec
    CommandSpec spec;

    LeaseTiming lease() {
        if (leaseTime.toMillis() < 100) {
            throw new ParameterException(spec.commandLine(), "--lease-time-ms: at least 100 ms (a renewal is sent every quarter of it)");
        }
        return LeaseTiming.of(leaseTime);
    }

    @Override
    public Integer call() throws InterruptedException {
        return CompilerMain.run(config(), lease(), topics.createTopics(), adminPort);
    }
}
