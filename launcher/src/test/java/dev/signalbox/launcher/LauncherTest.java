package dev.signalbox.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.launcher.local.ProxyClients;
import dev.signalbox.proxy.ProxyConfig;
import dev.signalbox.proxy.accesslog.AccessLogConfig;
import dev.signalbox.proxy.http.ClientPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a user of {@code bin/ingress} sees: usage errors exit 2, and every command documents its defaults. */
class LauncherTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Launcher.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void aMissingCommandAnUnknownOneAndABadOptionAreUsageErrors() {
        assertEquals(2, run());
        assertEquals(2, run("serve"));
        assertEquals(2, run("proxy", "--kafka", "k:1", "--admin-port", "ninety"));
        assertEquals(2, run("compiler"));
        assertEquals(2, run("compiler", "--kafka", "k:1", "--lease-time-ms", "50"));
        assertEquals(2, run("watcher", "--kafka", "no-port"));
        assertTrue(err.toString().contains("Usage: ingress"), err.toString());
    }

    @Test
    void theAdminPortDefaultsTo9090AsDocumented() {
        assertEquals(0, run("proxy", "--help"));
        assertTrue(out.toString().contains("--admin-port=PORT") && out.toString().contains("Default: 9090"), out.toString());
        CommandLine cl = Launcher.commandLine();
        cl.parseArgs("proxy", "--kafka", "k:1");
        ProxyCommand proxy = cl.getSubcommands().get("proxy").getCommand();
        assertEquals(9090, proxy.config().adminPort());
        assertEquals(8080, proxy.config().httpPort());
    }

    @Test
    void theCompilersLeaseDefaultsTo1500MsRenewedEvery375Ms() {
        CommandLine cl = Launcher.commandLine();
        cl.parseArgs("compiler", "--kafka", "k:1");
        CompilerCommand compiler = cl.getSubcommands().get("compiler").getCommand();
        assertEquals(new dev.signalbox.compiler.election.LeaseTiming(java.time.Duration.ofMillis(1500), java.time.Duration.ofMillis(375)),
                compiler.lease());
        cl.parseArgs("compiler", "--kafka", "k:1", "--lease-time", "4000");
        assertEquals(java.time.Duration.ofSeconds(4), compiler.lease().leaseTime());
    }

    @Test
    void everyCommandHasItsOwnHelp() {
        for (String command : new String[] {"local", "watcher", "compiler", "proxy", "bench", "kafka", "topics", "history",
            "show", "diff", "explain", "verify", "fleet", "bench-sizing", "perf", "cluster", "bench-clusters"}) {
            assertEquals(0, run(command, "--help"), command);
        }
        assertTrue(!out.toString().contains("ClientSettings["), "--kafka-config shows no default: " + out);
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("Usage: ingress"), out.toString());
    }

    @Test
    void topicsCreateAndCheckAreDocumentedAndCheckTheirOptions() {
        assertEquals(0, run("topics", "create", "--help"));
        assertTrue(out.toString().contains("--partitions=N") && out.toString().contains("Default: 3"), out.toString());
        assertTrue(out.toString().contains("--kafka-config=FILE"), out.toString());
        assertEquals(0, run("topics", "check", "--help"));
        assertEquals(2, run("topics"));
        assertEquals(2, run("topics", "check"));
        assertEquals(2, run("topics", "create", "--kafka", "k:1", "--partitions", "0"));
        assertEquals(2, run("topics", "check", "--kafka", "k:1", "--kafka-config", "/no/such/file.properties"));
        assertTrue(err.toString().contains("'--kafka-config'") && err.toString().contains("cannot read /no/such/file.properties"),
                err.toString());
    }

    /** Each command that talks to Kafka, with the arguments it needs besides --kafka. */
    private static final List<List<String>> KAFKA_COMMANDS = List.of(List.of("history"), List.of("show", "--version", "1"),
            List.of("diff", "1", "2"), List.of("explain", "--host", "h", "--path", "/"), List.of("verify"), List.of("fleet"),
            List.of("watcher"), List.of("compiler"), List.of("proxy"), List.of("topics", "check"), List.of("topics", "create"),
            List.of("bench-history"));

    @Test
    void everyCommandThatTalksToKafkaTakesKafkaConfigAndItsSettingsReachItsClients(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nclient.id=from-file\nisolation.level=read_uncommitted\n"
                + "bootstrap.servers=elsewhere:1\n");
        for (List<String> command : KAFKA_COMMANDS) {
            List<String> args = new ArrayList<>(command);
            args.addAll(List.of("--kafka", "k:1", "--kafka-config", file.toString()));
            CommandLine cl = Launcher.commandLine();
            CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(String[]::new));
            while (parsed.hasSubcommand()) {
                parsed = parsed.subcommand();
            }
            KafkaOption kafka = kafkaOption(parsed.commandSpec());
            Properties p = kafka.connection().properties(Map.of("client.id", "ours", "isolation.level", "read_committed"));
            assertEquals(List.of("SASL_SSL", "from-file", "read_committed", "k:1"), List.of(p.get("security.protocol"),
                    p.get("client.id"), p.get("isolation.level"), p.get("bootstrap.servers")), command.toString());
        }
        // The components carry the settings into their configuration, from which each of their clients is made.
        CommandLine cl = Launcher.commandLine();
        cl.parseArgs("proxy", "--kafka", "k:1", "--kafka-config", file.toString());
        assertEquals("SASL_SSL", ((ProxyCommand) cl.getSubcommands().get("proxy").getCommand()).config().kafka()
                .properties(Map.of()).get("security.protocol"));
        cl = Launcher.commandLine();
        cl.parseArgs("compiler", "--kafka", "k:1", "--kafka-config", file.toString());
        assertEquals("SASL_SSL", ((CompilerCommand) cl.getSubcommands().get("compiler").getCommand()).config().kafka()
                .properties(Map.of()).get("security.protocol"));
        cl = Launcher.commandLine();
        cl.parseArgs("watcher", "--kafka", "k:1", "--kafka-config", file.toString());
        assertEquals("SASL_SSL", ((WatcherCommand) cl.getSubcommands().get("watcher").getCommand()).config().kafka()
                .properties(Map.of()).get("security.protocol"));
    }

    @Test
    void anUnreadableKafkaConfigIsAUsageErrorNamingTheFile() {
        for (List<String> command : KAFKA_COMMANDS) {
            List<String> args = new ArrayList<>(command);
            args.addAll(List.of("--kafka", "k:1", "--kafka-config", "/no/such/client.properties"));
            StringWriter e = new StringWriter();
            CommandLine cl = Launcher.commandLine();
            cl.setErr(new PrintWriter(e));
            assertEquals(2, cl.execute(args.toArray(String[]::new)), command.toString());
            assertTrue(e.toString().contains("cannot read /no/such/client.properties"), command + ": " + e);
        }
    }

    /** The --kafka mixin of a command, directly or inside another mixin (the audit commands' options). */
    private static KafkaOption kafkaOption(CommandLine.Model.CommandSpec spec) {
        if (spec.userObject() instanceof KafkaOption k) {
            return k;
        }
        for (CommandLine.Model.CommandSpec m : spec.mixins().values()) {
            KafkaOption k = kafkaOption(m);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    @Test
    void everyComponentCreatesItsTopicsUnlessToldNotTo() {
        for (String command : new String[] {"watcher", "compiler", "proxy"}) {
            CommandLine cl = Launcher.commandLine();
            cl.parseArgs(command, "--kafka", "k:1");
            assertTrue(((TopicCreationOption) cl.getSubcommands().get(command).getMixins().get("topics"))
                    .createTopics(), command);
            cl = Launcher.commandLine();
            cl.parseArgs(command, "--kafka", "k:1", "--no-create-topics");
            assertEquals(false, ((TopicCreationOption) cl.getSubcommands().get(command).getMixins().get("topics"))
                    .createTopics(), command);
        }
    }

    @Test
    void localModesProxiesRunInItsClusterInTheZoneGiven() {
        CommandLine cl = Launcher.commandLine();
        cl.parseArgs("local", "--manifests", "src", "--cluster-id", "c7", "--zone", "z1", "--locality", "balance-all");
        LocalCommand local = cl.getSubcommands().get("local").getCommand();
        assertEquals(new dev.signalbox.routing.Locality("c7", "z1", dev.signalbox.routing.Locality.Policy.BALANCE_ALL),
                local.config().proxyLocality());
        cl = Launcher.commandLine();
        cl.parseArgs("local", "--manifests", "src");
        assertEquals(dev.signalbox.routing.Locality.DEFAULT,
                ((LocalCommand) cl.getSubcommands().get("local").getCommand()).config().proxyLocality());
        assertEquals(2, run("local", "--locality", "nearest"));
    }

    @Test
    void localModesProxiesTakeAnEventLoopCountOrOnePerProcessor() {
        CommandLine cl = Launcher.commandLine();
        cl.parseArgs("local", "--manifests", "src", "--io-threads", "3");
        assertEquals(3, ((LocalCommand) cl.getSubcommands().get("local").getCommand()).config().ioThreads());
        cl = Launcher.commandLine();
        cl.parseArgs("local", "--manifests", "src");
        assertEquals(0, ((LocalCommand) cl.getSubcommands().get("local").getCommand()).config().ioThreads());
        assertEquals(2, run("local", "--manifests", "src", "--io-threads", "-1"));
    }

    /** proxy's and local's help, from --trusted-proxies to the end of --access-log-file's description. */
    private String clientOptionsHelp(String command) {
        out.getBuffer().setLength(0);
        assertEquals(0, run(command, "--help"));
        String help = out.toString();
        int from = help.indexOf("      --trusted-proxies=");
        return from < 0 ? help : help.substring(from, help.indexOf("  -h, --help", from));
    }

    @Test
    void proxyAndLocalDocumentTheSameClientOptionsWithTheSameDefaults() {
        String proxy = clientOptionsHelp("proxy");
        assertEquals(List.of(true, true, true, true, true, true, true, true, true, true, true), List.of(
                proxy.contains("--trusted-proxies=CIDR[,CIDR]"), proxy.contains("--client-header-timeout=TIME"),
                proxy.contains("Default: 60s"), proxy.contains("--keepalive-timeout=TIME"), proxy.contains("Default: 75s"),
                proxy.contains("--proxy-protocol"), proxy.contains("--max-body-size=SIZE"), proxy.contains("Default: 1m"),
                proxy.contains("--access-log=off|on|sample:N"), proxy.contains("Default: off"),
                proxy.contains("--access-log-file=FILE")), proxy);
        assertEquals(proxy, clientOptionsHelp("local"));
    }

    @Test
    void localModesProxiesTakeTheClientOptionsAsProxyDoes() {
        String[] options = {"--trusted-proxies", "10.0.0.0/8,192.0.2.7", "--client-header-timeout", "5s",
            "--keepalive-timeout", "2m", "--proxy-protocol", "--max-body-size", "8m", "--access-log", "sample:10",
            "--access-log-file", "/var/log/access.log"};
        CommandLine cl = Launcher.commandLine();
        cl.parseArgs(concat(new String[] {"local", "--manifests", "src"}, options));
        ProxyClients local = ((LocalCommand) cl.getSubcommands().get("local").getCommand()).config().clients();
        assertEquals(List.of("[10.0.0.0/8, 192.0.2.7/32]", new ClientPolicy(Duration.ofSeconds(5), Duration.ofMinutes(2), true, 8L << 20),
                new AccessLogConfig(10, Path.of("/var/log/access.log"), AccessLogConfig.DEFAULT_QUEUE)),
                List.of(local.trustedProxies().toString(), local.policy(), local.accessLog()));
        cl = Launcher.commandLine();
        cl.parseArgs(concat(new String[] {"proxy", "--kafka", "k:1"}, options));
        ProxyCommand proxy = cl.getSubcommands().get("proxy").getCommand();
        ProxyConfig config = proxy.config();
        assertEquals(List.of(local.trustedProxies().toString(), local.policy(), local.accessLog()),
                List.of(config.trustedProxies().toString(), config.clients(), proxy.clients.clients().accessLog()));
        cl = Launcher.commandLine();
        cl.parseArgs("local", "--manifests", "src");
        assertEquals(ProxyClients.DEFAULT, ((LocalCommand) cl.getSubcommands().get("local").getCommand()).config().clients());
    }

    @Test
    void aBadClientOptionIsAUsageErrorNamingItForProxyAndLocal() {
        // Each command's last check fails too (--cluster-id a/b, --proxies 0), so that a bad value let through would
        // be a wrong message here rather than a proxy started on the default ports.
        String[][] commands = {{"proxy", "--kafka", "k:1", "--cluster-id", "a/b"}, {"local", "--manifests", "src", "--proxies", "0"}};
        String[][] bad = {{"--trusted-proxies", "lb.example"}, {"--client-header-timeout", "0s"},
            {"--keepalive-timeout", "soon"}, {"--max-body-size", "ten"}, {"--access-log", "sample:0"},
            {"--access-log", "always"}};
        List<String> errors = new ArrayList<>();
        for (String[] command : commands) {
            for (String[] option : bad) {
                err.getBuffer().setLength(0);
                int status = run(concat(command, option));
                String message = err.toString().lines().findFirst().orElse("");
                errors.add(command[0] + " " + option[0] + " " + option[1] + ": " + status + " "
                        + message.contains(option[0]));
            }
        }
        List<String> expected = new ArrayList<>();
        for (String[] command : commands) {
            for (String[] option : bad) {
                expected.add(command[0] + " " + option[0] + " " + option[1] + ": 2 true");
            }
        }
        assertEquals(expected, errors, err.toString());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
