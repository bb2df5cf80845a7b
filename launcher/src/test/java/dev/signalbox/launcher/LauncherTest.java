package dev.signalbox.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
    void everyCommandHasItsOwnHelp() {
        for (String command : new String[] {"local", "watcher", "compiler", "proxy", "bench", "kafka", "topics", "history",
            "show", "diff", "explain", "verify", "fleet", "bench-sizing", "perf"}) {
            assertEquals(0, run(command, "--help"), command);
        }
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
        assertTrue(err.toString().contains("cannot read --kafka-config /no/such/file.properties"), err.toString());
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
}
