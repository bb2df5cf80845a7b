package dev.signalbox.compiler.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.election.Election.Claim;
import dev.signalbox.compiler.election.Election.Decision;
import dev.signalbox.compiler.election.Election.Lead;
import dev.signalbox.compiler.election.Election.StandBy;
import dev.signalbox.compiler.election.Election.StepDown;
import dev.signalbox.compiler.election.LeaseRecord.Kind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The election as compiler "me" sees it: the lease records it read (each at a time in ms), the time now, and
 * whether it is active; lease time 2000 ms.
 */
class ElectionTest {
    private static final long LEASE_MS = 2000;

    private static Arguments read(String name, List<Heard> records, long nowMs, boolean active, Decision expected) {
        return Arguments.of(name, records, nowMs, active, expected);
    }

    /** A lease record read at {@code ms}. */
    private record Heard(long ms, LeaseRecord record) {
    }

    private static Heard at(long ms, Kind kind, long term, String holder) {
        return new Heard(ms, new LeaseRecord(kind, term, holder));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                read("the first compiler ever claims term 1 at once", List.of(), 0, false, new Claim(1)),
                read("a compiler whose claim was the first of its term leads",
                        List.of(at(0, Kind.CLAIM, 1, "me")), 10, false, new Lead(1)),
                read("a compiler whose claim came second in its term stands by",
                        List.of(at(0, Kind.CLAIM, 1, "other"), at(1, Kind.CLAIM, 1, "me")), 10, false, new StandBy()),
                read("a standby waits while the active one renews",
                        List.of(at(0, Kind.CLAIM, 3, "other"), at(1500, Kind.RENEW, 3, "other")), 3400, false, new StandBy()),
                read("a standby claims the next term a lease time after the last renewal it heard",
                        List.of(at(0, Kind.CLAIM, 3, "other"), at(1500, Kind.RENEW, 3, "other")), 3500, false, new Claim(4)),
                read("a standby claims at once when the active one released the lease",
                        List.of(at(0, Kind.CLAIM, 3, "other"), at(100, Kind.RELEASE, 3, "other")), 101, false, new Claim(4)),
                read("a release by a compiler not holding the lease changes nothing",
                        List.of(at(0, Kind.CLAIM, 3, "other"), at(100, Kind.RELEASE, 3, "third")), 101, false, new StandBy()),
                read("an active compiler renewing in time stays active",
                        List.of(at(0, Kind.CLAIM, 2, "me"), at(1900, Kind.RENEW, 2, "me")), 3000, true, new Lead(2)),
                read("an active compiler that has not heard its own renewal for the lease time steps down",
                        List.of(at(0, Kind.CLAIM, 2, "me")), 2000, true, new StepDown()),
                read("then, as a standby, it claims the next term like anyone",
                        List.of(at(0, Kind.CLAIM, 2, "me")), 2000, false, new Claim(3)),
                read("an active compiler that reads a later claim steps down",
                        List.of(at(0, Kind.CLAIM, 2, "me"), at(10, Kind.CLAIM, 3, "other")), 20, true, new StepDown()),
                read("a paused active's late renewal of its old term does not renew it",
                        List.of(at(0, Kind.CLAIM, 2, "old"), at(2100, Kind.CLAIM, 3, "other"), at(4500, Kind.RENEW, 2, "old")),
                        4500, false, new Claim(4)),
                read("a paused active that resumes and reads the later claim steps down",
                        List.of(at(0, Kind.CLAIM, 2, "me"), at(2100, Kind.CLAIM, 3, "other")), 2200, true, new StepDown()),
                read("a renewal of a later term read without its claim (start-up tail) names the holder",
                        List.of(at(0, Kind.RENEW, 7, "other")), 100, false, new StandBy()),
                read("a renewal after a release does not revive the term",
                        List.of(at(0, Kind.CLAIM, 3, "other"), at(10, Kind.RELEASE, 3, "other"), at(20, Kind.RENEW, 3, "other")),
                        30, false, new Claim(4)),
                read("a record of a term long before the current one changes nothing",
                        List.of(at(0, Kind.CLAIM, 5, "other"), at(10, Kind.CLAIM, 4, "me")), 20, false, new StandBy())
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, List<Heard> records, long nowMs, boolean active, Decision expected) {
        LeaseView view = LeaseView.NONE;
        for (Heard r : records) {
            view = view.apply(r.record(), r.ms() * 1_000_000);
        }
        assertEquals(expected, Election.decide(view, "me", nowMs * 1_000_000, LEASE_MS * 1_000_000, active));
    }
}
