package dev.signalbox.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The watcher's /readyz: the source's state and the Lease in, the JSON answer (and its 200 or 503) out. */
class WatcherHealthTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("informers not synced yet: not ready, whatever the Lease", false, true, false, 0L,
                        "{\"clusterId\":\"c1\",\"epoch\":0,\"leader\":false,\"ready\":false,\"status\":\"not-synced\",\"synced\":false}"),
                Arguments.of("synced, holding the Lease, its takeover reconcile under way: not ready", true, true, false, 0L,
                        "{\"clusterId\":\"c1\",\"epoch\":0,\"leader\":false,\"ready\":false,\"status\":\"taking-over\",\"synced\":true}"),
                Arguments.of("synced, leading and publishing: ready with its epoch", true, true, true, 7L,
                        "{\"clusterId\":\"c1\",\"epoch\":7,\"leader\":true,\"ready\":true,\"status\":\"leading\",\"synced\":true}"),
                Arguments.of("synced standby (another watcher leads): ready, it is there to take over", true, false, false, 3L,
                        "{\"clusterId\":\"c1\",\"epoch\":3,\"leader\":false,\"ready\":true,\"status\":\"standby\",\"synced\":true}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readiness(String name, boolean synced, boolean lease, boolean publishing, long epoch, String json) {
        assertEquals(json, Watcher.health("c1", synced, lease, publishing, epoch).json());
    }
}
