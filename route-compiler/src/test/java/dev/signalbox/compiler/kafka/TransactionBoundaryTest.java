package dev.signalbox.compiler.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.kafka.TransactionBoundary.Pending;
import dev.signalbox.schemas.event.TransactionMark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which records read but not applied a version may contain. A partition is written as a string of records in
 * offset order: "A3" is a record of transaction A, which holds 3 records in all; "-" is a record written
 * outside a transaction. The expected answer is, per partition, how many of its first records may be applied.
 */
class TransactionBoundaryTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing read, nothing applied", List.of("", "", ""), Set.of(), List.of(0, 0, 0)),
                Arguments.of("records written outside a transaction are applied at once", List.of("- -", "-", ""),
                        Set.of(), List.of(2, 1, 0)),
                Arguments.of("a transaction read whole in one partition is applied", List.of("A2 A2", "", ""), Set.of(),
                        List.of(2, 0, 0)),
                Arguments.of("a transaction read whole across partitions is applied whole", List.of("A3", "A3", "A3"),
                        Set.of(), List.of(1, 1, 1)),
                Arguments.of("a transaction whose record in another partition is not read yet waits whole",
                        List.of("A3", "A3", ""), Set.of(), List.of(0, 0, 0)),
                Arguments.of("what follows an incomplete transaction in its partition waits too",
                        List.of("A2 B1 -", "", ""), Set.of(), List.of(0, 0, 0)),
                Arguments.of("what precedes an incomplete transaction in its partition is applied",
                        List.of("B1 - A2", "", ""), Set.of(), List.of(2, 0, 0)),
                Arguments.of("another partition is not held back by an incomplete transaction",
                        List.of("A2", "B2 B2", "-"), Set.of(), List.of(0, 2, 1)),
                Arguments.of("a complete transaction behind an incomplete one in one partition waits in every partition",
                        List.of("B2", "A2 B2", ""), Set.of(), List.of(0, 0, 0)),
                Arguments.of("and is applied once the incomplete one is whole",
                        List.of("B2", "A2 B2", "A2"), Set.of(), List.of(1, 2, 1)),
                Arguments.of("two transactions interleaved in opposite orders in two partitions are both applied",
                        List.of("A2 B2", "B2 A2", ""), Set.of(), List.of(2, 2, 0)),
                Arguments.of("a chain of waits: a transaction behind one that waits, waits, in every partition",
                        List.of("C2 B2", "B2 A2", "A2"), Set.of(), List.of(0, 0, 0)),
                Arguments.of("and the whole chain goes once the first is whole",
                        List.of("C2 B2", "B2 A2", "A2 C2"), Set.of(), List.of(2, 2, 2)),
                Arguments.of("a transaction given up on is applied as it is, and what follows it",
                        List.of("A3 -", "A3", ""), Set.of("A"), List.of(2, 1, 0))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void appliesWholeTransactionsOnly(String name, List<String> partitions, Set<String> givenUp, List<Integer> expected) {
        List<List<Pending>> in = new ArrayList<>();
        for (String p : partitions) {
            List<Pending> records = new ArrayList<>();
            long offset = 0;
            for (String r : p.isBlank() ? new String[0] : p.trim().split(" +")) {
                records.add(r.equals("-") ? Pending.alone(offset) : new Pending(offset, id(r.substring(0, 1)),
                        Integer.parseInt(r.substring(1))));
                offset++;
            }
            in.add(records);
        }
        Set<TransactionMark.Id> gaveUp = givenUp.stream().map(TransactionBoundaryTest::id).collect(java.util.stream.Collectors.toSet());
        assertEquals(expected, Arrays.stream(TransactionBoundary.applicable(in, gaveUp)).boxed().toList());
    }

    private static TransactionMark.Id id(String name) {
        return new TransactionMark.Id("signalbox-watcher-east", "s1", name.charAt(0));
    }
}
