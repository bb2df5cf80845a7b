package dev.signalbox.proxy.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.signalbox.proxy.netty.Transport.Kind;
import dev.signalbox.proxy.netty.Transport.Preference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TransportTest {
    /** @param expected the transport chosen, or null when the start must fail */
    record Case(String name, Preference preference, boolean ioUring, boolean epoll, Kind expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("auto takes io_uring where the kernel allows it", Preference.AUTO, true, true, Kind.IO_URING),
                new Case("auto takes epoll where io_uring is forbidden (sysctl, seccomp)", Preference.AUTO, false, true,
                        Kind.EPOLL),
                new Case("auto takes NIO where neither native transport loads", Preference.AUTO, false, false, Kind.NIO),
                new Case("io_uring asked for and there", Preference.IO_URING, true, true, Kind.IO_URING),
                new Case("io_uring asked for and not there stops the start", Preference.IO_URING, false, true, null),
                new Case("epoll asked for though io_uring is there", Preference.EPOLL, true, true, Kind.EPOLL),
                new Case("epoll asked for and not there stops the start", Preference.EPOLL, true, false, null),
                new Case("NIO loads everywhere", Preference.NIO, false, false, Kind.NIO));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void choose(Case c) {
        if (c.expected() == null) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Transport.choose(c.preference(), c.ioUring(), c.epoll()));
            assertEquals("--transport " + c.preference() + ": ", e.getMessage().substring(0, e.getMessage().indexOf(':') + 2));
        } else {
            assertEquals(c.expected(), Transport.choose(c.preference(), c.ioUring(), c.epoll()));
        }
    }

    @Test
    void theOptionSpellingsAreTheLowerCaseNames() {
        assertEquals("auto io_uring epoll nio", String.join(" ", Stream.of(Preference.values()).map(Preference::toString).toList()));
    }
}
