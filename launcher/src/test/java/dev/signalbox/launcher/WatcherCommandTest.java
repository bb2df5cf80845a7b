package dev.signalbox.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.signalbox.watcher.WatcherConfig;
import dev.signalbox.watcher.status.LbAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** {@code bin/ingress watcher}'s options, as picocli parses them into the watcher's configuration. */
class WatcherCommandTest {
    /** The command after parsing {@code args}; {@code config()} then checks what the parser cannot. */
    private static WatcherCommand parse(String[] args) {
        WatcherCommand command = new WatcherCommand();
        new CommandLine(command).parseArgs(args);
        command.config();
        return command;
    }

    @Test
    void onlyKafkaIsRequiredAndTheRestDefaults() {
        WatcherCommand o = parse(new String[] {"--kafka", "k:9092"});
        assertEquals("k:9092", o.config().bootstrapServers());
        assertEquals("local", o.config().clusterId());
        assertNull(o.config().manifestsDir());
        assertEquals(List.of(), o.config().namespaces());
        assertEquals("default", o.config().leaseNamespace());
        assertNull(o.kubeconfig);
    }

    @Test
    void everyOptionIsRead() {
        WatcherCommand o = parse(new String[] {"--kafka", "k:1", "--cluster-id", "eu", "--manifests", "/m",
                "--kubeconfig", "/kc", "--lease-namespace", "ops", "--namespaces", "a, b,"});
        assertEquals("eu", o.config().clusterId());
        assertEquals(Path.of("/m"), o.config().manifestsDir());
        assertEquals(Path.of("/kc"), o.kubeconfig);
        assertEquals("ops", o.config().leaseNamespace());
        assertEquals("signalbox-watcher-eu", o.config().leaseName());
        assertEquals(List.of("a", "b"), o.config().namespaces());
    }

    @Test
    void statusAddressesAreIpsOrHostnamesAndAPublishedServiceIsNamespaceSlashName() {
        WatcherCommand a = parse(new String[] {"--kafka", "k:1", "--status-address", "10.0.0.1, lb.example.com"});
        assertEquals(WatcherConfig.Status.ofAddresses(List.of(new LbAddress("10.0.0.1", null), new LbAddress(null, "lb.example.com"))),
                a.config().status());
        WatcherCommand s = parse(new String[] {"--kafka", "k:1", "--publish-service", "signalbox-system/signalbox-proxy"});
        assertEquals(new WatcherConfig.Status(List.of(), "signalbox-system", "signalbox-proxy"), s.config().status());
        assertEquals(WatcherConfig.Status.NONE, parse(new String[] {"--kafka", "k:1"}).config().status());
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--publish-service", "proxy"}));
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1",
                "--status-address", "10.0.0.1", "--publish-service", "a/b"}));
    }

    @Test
    void missingKafkaAMissingValueAndUnknownArgumentsAreRejected() {
        assertThrows(ParameterException.class, () -> parse(new String[] {"--cluster-id", "x"}));
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka"}));
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--bogus", "1"}));
    }
}
