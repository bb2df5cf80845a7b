package dev.signalbox.watcher.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.crypto.SealedKey;
import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.TlsSecretState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LogDiffTest {
    static final ObjectKey A = new ObjectKey("c1", Kind.INGRESS_CLASS, "", "a");
    static final ObjectKey B = new ObjectKey("c1", Kind.INGRESS_CLASS, "", "b");
    static final IngressClassState S1 = new IngressClassState("signalbox.dev/ingress", false);
    static final IngressClassState S2 = new IngressClassState("signalbox.dev/ingress", true);

    static final ObjectKey S = new ObjectKey("c1", Kind.SECRET, "ns", "tls");
    static final SealedKey OLD_KEY = new SealedKey("2026-01", KeyRing.ALGORITHM, "bm9uY2Vub25jZTEy", "b2xk");
    static final SealedKey NEW_KEY = new SealedKey("2026-11", KeyRing.ALGORITHM, "bm9uY2Vub25jZTEy", "bmV3");

    static Observed secret(String rv, SealedKey key) {
        return new Observed(S, "uid-tls", rv, new TlsSecretState("CERT", key, null, null));
    }

    static Observed obj(ObjectKey k, String rv, IngressClassState s) {
        return new Observed(k, "uid-" + k.name(), rv, s);
    }

    static LogEntry live(ObjectKey k, String rv, IngressClassState s) {
        return LogEntry.live(obj(k, rv, s));
    }

    static Stream<Arguments> reconcileCases() {
        return Stream.of(
                Arguments.of("an empty log gets every object", Map.of(), Map.of(A, obj(A, "1", S1), B, obj(B, "2", S1)),
                        List.of(new Change.Upsert(obj(A, "1", S1)), new Change.Upsert(obj(B, "2", S1)))),
                Arguments.of("an object whose version is in the log is not republished",
                        Map.of(A, live(A, "1", S1)), Map.of(A, obj(A, "1", S1)), List.of()),
                Arguments.of("an object with a newer version is republished",
                        Map.of(A, live(A, "1", S1)), Map.of(A, obj(A, "5", S2)), List.of(new Change.Upsert(obj(A, "5", S2)))),
                Arguments.of("an object deleted while no leader ran is deleted",
                        Map.of(A, live(A, "1", S1), B, live(B, "3", S1)), Map.of(A, obj(A, "1", S1)),
                        List.of(new Change.Delete(B, "uid-b", "3"))),
                Arguments.of("a key already deleted in the log is not deleted again",
                        Map.of(B, LogEntry.tombstone("3", "uid-b")), Map.of(), List.of()),
                Arguments.of("a Secret sealed with another key than the active one is republished (rotation)",
                        Map.of(S, LogEntry.live(secret("7", OLD_KEY))), Map.of(S, secret("7", NEW_KEY)),
                        List.of(new Change.Upsert(secret("7", NEW_KEY)))),
                Arguments.of("a Secret sealed with the active key is not republished",
                        Map.of(S, LogEntry.live(secret("7", NEW_KEY))), Map.of(S, secret("7", NEW_KEY)), List.of()),
                Arguments.of("an object recreated after its delete is published even with the same version",
                        Map.of(A, LogEntry.tombstone("1", "uid-a")), Map.of(A, obj(A, "1", S1)),
                        List.of(new Change.Upsert(obj(A, "1", S1)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reconcileCases")
    void reconcile(String name, Map<ObjectKey, LogEntry> log, Map<ObjectKey, Observed> cluster, List<Change> expected) {
        assertEquals(expected, LogDiff.reconcile(log, cluster));
    }

    static Stream<Arguments> changeCases() {
        return Stream.of(
                Arguments.of("a new object is published", null, obj(A, "1", S1), Optional.of(new Change.Upsert(obj(A, "1", S1)))),
                Arguments.of("the same version again is a no-op", live(A, "1", S1), obj(A, "1", S1), Optional.empty()),
                Arguments.of("a new version with the same routing state is a no-op", live(A, "1", S1), obj(A, "2", S1),
                        Optional.empty()),
                Arguments.of("a new version with a new state is published", live(A, "1", S1), obj(A, "2", S2),
                        Optional.of(new Change.Upsert(obj(A, "2", S2)))),
                Arguments.of("a recreated object with a new uid is published", live(A, "1", S1),
                        new Observed(A, "other-uid", "2", S1), Optional.of(new Change.Upsert(new Observed(A, "other-uid", "2", S1)))),
                Arguments.of("a gone object is deleted with its last version", live(A, "4", S1), null,
                        Optional.of(new Change.Delete(A, "uid-a", "4"))),
                Arguments.of("a gone object the log never had is nothing", null, null, Optional.empty()),
                Arguments.of("a gone object already deleted is nothing", LogEntry.tombstone("4", "uid-a"), null, Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changeCases")
    void onChange(String name, LogEntry logged, Observed now, Optional<Change> expected) {
        assertEquals(expected, LogDiff.onChange(A, logged, now));
    }
}
