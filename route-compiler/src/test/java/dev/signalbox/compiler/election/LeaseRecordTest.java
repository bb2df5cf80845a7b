package dev.signalbox.compiler.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LeaseRecordTest {
    static Stream<Arguments> cases() {
        LeaseRecord claim = new LeaseRecord(LeaseRecord.Kind.CLAIM, 12, "compiler-ab12cd34");
        return Stream.of(
                Arguments.of("a claim reads back as written", new String(claim.encode(), StandardCharsets.UTF_8), Optional.of(claim)),
                Arguments.of("a release reads back", "RELEASE 3 c1", Optional.of(new LeaseRecord(LeaseRecord.Kind.RELEASE, 3, "c1"))),
                Arguments.of("an unknown kind is ignored", "STEAL 3 c1", Optional.empty()),
                Arguments.of("a term that is no number is ignored", "RENEW x c1", Optional.empty()),
                Arguments.of("term 0 is ignored", "RENEW 0 c1", Optional.empty()),
                Arguments.of("a missing holder is ignored", "RENEW 3", Optional.empty()),
                Arguments.of("an empty record is ignored", "", Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodes(String name, String text, Optional<LeaseRecord> expected) {
        assertEquals(expected, LeaseRecord.decode(text.getBytes(StandardCharsets.UTF_8)));
    }
}
