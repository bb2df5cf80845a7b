package dev.signalbox.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetector.Level;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** {@code --leak-detection}: which level a serving process sets, and how the option is read. */
class LeakDetectionOptionTest {
    record Case(String name, String[] args, Map<String, String> properties, Optional<Level> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String[] none = {};
        return Stream.of(
                new Case("nothing asked: disabled", none, Map.of(), Optional.of(Level.DISABLED)),
                new Case("the option, lower case", new String[] {"--leak-detection", "simple"}, Map.of(),
                        Optional.of(Level.SIMPLE)),
                new Case("the option, Netty's upper case", new String[] {"--leak-detection", "PARANOID"}, Map.of(),
                        Optional.of(Level.PARANOID)),
                new Case("Netty's property alone: Netty's reading stands", none,
                        Map.of(LeakDetectionOption.NETTY_PROPERTY, "paranoid"), Optional.empty()),
                new Case("Netty's older property name alone: the same", none,
                        Map.of(LeakDetectionOption.NETTY_LEGACY_PROPERTY, "advanced"), Optional.empty()),
                new Case("the option wins over the property", new String[] {"--leak-detection", "disabled"},
                        Map.of(LeakDetectionOption.NETTY_PROPERTY, "paranoid"), Optional.of(Level.DISABLED)),
                new Case("an unrelated property changes nothing", none, Map.of("io.netty.leakDetection.samplingInterval",
                        "4096"), Optional.of(Level.DISABLED)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void choosesTheLevel(Case c) {
        assertEquals(c.expected(), LeakDetectionOption.chosen(parse(c.args()).level, c.properties()::get));
    }

    /** The level Netty then runs with (process-wide; put back after, so the other tests keep the pom's paranoid). */
    @Test
    void applySetsNettysLevel() {
        Level before = ResourceLeakDetector.getLevel();
        try {
            Level other = before == Level.SIMPLE ? Level.ADVANCED : Level.SIMPLE;
            parse(new String[] {"--leak-detection", other.name()}).apply();
            assertEquals(other, ResourceLeakDetector.getLevel());
        } finally {
            ResourceLeakDetector.setLevel(before);
        }
    }

    @Test
    void anUnknownLevelIsAUsageErrorThatListsTheLevels() {
        ParameterException e = assertThrows(ParameterException.class, () -> parse(new String[] {"--leak-detection", "on"}));
        assertTrue(e.getMessage().contains("'on' is not a leak detection level: disabled, simple, advanced, paranoid"),
                e.getMessage());
    }

    @Test
    void proxyAndLocalBothTakeIt() {
        ProxyCommand proxy = new ProxyCommand();
        new CommandLine(proxy).parseArgs("--kafka", "k:1", "--leak-detection", "simple");
        assertEquals(Level.SIMPLE, proxy.leakDetection.level);
        LocalCommand local = new LocalCommand();
        new CommandLine(local).parseArgs("--leak-detection", "advanced");
        assertEquals(Level.ADVANCED, local.leakDetection.level);
    }

    private static LeakDetectionOption parse(String[] args) {
        LeakDetectionOption option = new LeakDetectionOption();
        new CommandLine(option).parseArgs(args);
        return option;
    }
}
