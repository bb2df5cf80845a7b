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
        for (String command : new String[] {"local", "watcher", "compiler", "proxy", "bench", "kafka", "history", "show",
            "diff", "explain", "verify", "fleet"}) {
            assertEquals(0, run(command, "--help"), command);
        }
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("Usage: ingress"), out.toString());
    }
}
