package dev.signalbox.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.netty.Transport;
import dev.signalbox.routing.Locality;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** {@code bin/ingress proxy}'s options, as picocli parses them into the proxy's configuration. */
class ProxyCommandTest {
    private static ProxyCommand command(String[] args) {
        ProxyCommand command = new ProxyCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static ProxyConfig parse(String[] args) {
        return command(args).config();
    }

    private static Duration drainTimeout(String[] args) {
        return command(args).drainTimeout;
    }

    @Test
    void parsesEveryOption() {
        ProxyConfig c = parse(new String[] {"--kafka", "k:9092", "--http-port", "81", "--admin-port", "82",
            "--node-id", "n7", "--bind", "127.0.0.1"});
        assertEquals(new ProxyConfig("k:9092", "n7", "127.0.0.1", 81, 82, Duration.ofSeconds(2), Duration.ofSeconds(60)), c);
    }

    @Test
    void theEventLoopCountIsOnePerProcessorUnlessGiven() {
        assertEquals(0, parse(new String[] {"--kafka", "k:1"}).ioThreads());
        assertEquals(1, parse(new String[] {"--kafka", "k:1", "--io-threads", "1"}).ioThreads());
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--io-threads", "-2"}));
    }

    @Test
    void theTransportIsAutoUnlessNamed() {
        assertEquals(Transport.Preference.AUTO, parse(new String[] {"--kafka", "k:1"}).transport());
        for (Transport.Preference p : Transport.Preference.values()) {
            String[] args = {"--kafka", "k:1", "--transport", p.toString()};
            boolean loads = switch (p) {
                case IO_URING -> io.netty.channel.uring.IoUring.isAvailable();
                case EPOLL -> io.netty.channel.epoll.Epoll.isAvailable();
                default -> true;
            };
            if (loads) {
                assertEquals(p, parse(args).transport());
            } else {
                // Named but not there: a usage error with the reason, not a stack trace at start-up.
                ParameterException e = assertThrows(ParameterException.class, () -> parse(args));
                assertTrue(e.getMessage().startsWith("--transport " + p + ": "), e.getMessage());
            }
        }
        ParameterException e = assertThrows(ParameterException.class,
                () -> parse(new String[] {"--kafka", "k:1", "--transport", "kqueue"}));
        assertTrue(e.getMessage().contains("'kqueue' is not a transport: auto, io_uring, epoll or nio"), e.getMessage());
    }

    @Test
    void clientTimeoutsDefaultToNginxsAndThePROXYProtocolIsOff() {
        assertEquals(dev.signalbox.proxy.http.ClientPolicy.DEFAULT, parse(new String[] {"--kafka", "k:1"}).clients());
        assertEquals(new dev.signalbox.proxy.http.ClientPolicy(Duration.ofSeconds(5), Duration.ofMinutes(2), true),
                parse(new String[] {"--kafka", "k:1", "--client-header-timeout", "5s", "--keepalive-timeout", "2m",
                    "--proxy-protocol"}).clients());
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--keepalive-timeout", "0s"}));
    }

    @Test
    void theBodySizeLimitIsNginxsSizeSyntaxAndOneMebibyteByDefault() {
        assertEquals(1L << 20, parse(new String[] {"--kafka", "k:1"}).clients().maxBodyBytes());
        assertEquals(java.util.List.of(0L, 8L << 20, 512L << 10, 1L << 30, 1000L), java.util.stream.Stream.of("0", "8m",
                "512K", "1g", "1000").map(v -> parse(new String[] {"--kafka", "k:1", "--max-body-size", v}).clients()
                .maxBodyBytes()).toList());
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--max-body-size", "ten"}));
    }

    @Test
    void trustedProxiesAreCidrBlocksAndNothingIsTrustedByDefault() {
        assertEquals(false, parse(new String[] {"--kafka", "k:1"}).trustedProxies().contains("127.0.0.1"));
        ProxyConfig c = parse(new String[] {"--kafka", "k:1", "--trusted-proxies", "10.0.0.0/8,192.0.2.7"});
        assertEquals(java.util.List.of(true, true, false), java.util.stream.Stream.of("10.9.8.7", "192.0.2.7", "192.0.2.8")
                .map(c.trustedProxies()::contains).toList());
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--trusted-proxies", "lb.example"}));
    }

    @Test
    void httpsIsServedOnlyWhenItsPortIsGiven() {
        ProxyConfig plain = parse(new String[] {"--kafka", "k:1", "--http-port", "81"});
        assertEquals(null, plain.https());
        ProxyConfig tls = parse(new String[] {"--kafka", "k:1", "--https-port", "8443", "--public-https-port", "443",
            "--default-cert", "/c.pem", "--default-key", "/k.pem"});
        assertEquals(new ProxyConfig.Https(8443, 443, java.nio.file.Path.of("/c.pem"), java.nio.file.Path.of("/k.pem")),
                tls.https());
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--public-https-port", "443"}));
        assertThrows(ParameterException.class,
                () -> parse(new String[] {"--kafka", "k:1", "--https-port", "8443", "--default-cert", "/c.pem"}));
    }

    @Test
    void rejectsAPortThatIsNotANumber() {
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--http-port", "eighty"}));
    }

    @Test
    void theDrainTimeoutDefaultsToTenSeconds() {
        assertEquals(Duration.ofSeconds(10), drainTimeout(new String[] {"--kafka", "k:1", "--http-port", "81"}));
        String[] args = {"--kafka", "k:1", "--drain-timeout-ms", "2500", "--http-port", "81"};
        assertEquals(Duration.ofMillis(2500), drainTimeout(args));
        assertEquals(81, parse(args).httpPort());
        assertThrows(ParameterException.class, () -> drainTimeout(new String[] {"--kafka", "k:1", "--drain-timeout-ms", "-1"}));
    }

    @Test
    void theProxyRunsInLocalModesClusterInNoZoneAndPrefersNearEndpointsByDefault() {
        assertEquals(Locality.DEFAULT, parse(new String[] {"--kafka", "k:1"}).locality());
        assertEquals(new Locality("eu-1", "eu-1a", Locality.Policy.BALANCE_ALL), parse(new String[] {"--kafka", "k:1",
            "--cluster-id", "eu-1", "--zone", "eu-1a", "--locality", "balance-all"}).locality());
        // The downward API gives an empty string for a label the pod lacks: no zone.
        assertEquals(null, parse(new String[] {"--kafka", "k:1", "--zone", ""}).locality().zone());
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--locality", "nearest"}));
        assertThrows(ParameterException.class, () -> parse(new String[] {"--kafka", "k:1", "--cluster-id", "a/b"}));
    }

    @Test
    void helpShowsTheLocalityDefaults() {
        String help = new CommandLine(new ProxyCommand()).getUsageMessage();
        assertEquals(List.of(true, true), List.of(help.contains("--cluster-id=ID") && help.contains("Default: local"),
                help.contains("--locality=POLICY") && help.contains("Default: prefer-local")), help);
    }
}
