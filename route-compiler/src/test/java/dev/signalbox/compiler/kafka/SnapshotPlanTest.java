package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.kafka.SnapshotPlan.Form;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SnapshotPlanTest {
    private static final SnapshotPlan EVERY_10 = new SnapshotPlan(10);

    record Case(String name, long version, long lastFullVersion, long deltaBytes, long lastFullBytes, Form expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("Without a known full snapshot under the previous version, the version is whole", 42, 0, 300, 1_000_000, Form.FULL),
                new Case("A small change after a full snapshot is a delta", 43, 42, 300, 1_000_000, Form.DELTA),
                new Case("The ninth version after the full one is still a delta", 51, 42, 300, 1_000_000, Form.DELTA),
                new Case("The tenth version after the full one is whole again", 52, 42, 300, 1_000_000, Form.FULL),
                new Case("A delta more than half the table's size is sent whole", 43, 42, 600_000, 1_000_000, Form.FULL),
                new Case("A delta of exactly half the table is still a delta", 43, 42, 500_000, 1_000_000, Form.DELTA),
                new Case("Without a delta that rebuilds the table, the version is whole", 43, 42, -1, 1_000_000, Form.FULL));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decides(Case c) {
        assertEquals(c.expected(), EVERY_10.decide(c.version(), c.lastFullVersion(), c.deltaBytes(), c.lastFullBytes()));
    }
}
