package dev.signalbox.watcher.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.AuthSecretState;
import dev.signalbox.schemas.event.IngressState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.watcher.model.Observed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuthSecretsTest {
    private static final String N = "nginx.ingress.kubernetes.io/";

    private static Observed ingress(String ns, String name, Map<String, String> annotations) {
        return new Observed(new ObjectKey("c", Kind.INGRESS, ns, name), null, "1",
                new IngressState(null, annotations, null, null, List.of(), List.of()));
    }

    private static Observed secret(String ns, String name) {
        ObjectState s = new AuthSecretState(null, "none");
        return new Observed(new ObjectKey("c", Kind.SECRET, ns, name), null, "1", s);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a Secret no Ingress names is not published", List.of(secret("ns", "users")), List.of()),
                Arguments.of("a Secret named by auth-secret with auth-type is published",
                        List.of(secret("ns", "users"), ingress("ns", "a", Map.of(N + "auth-type", "basic", N + "auth-secret", "users"))),
                        List.of("c/Ingress/ns/a", "c/Secret/ns/users")),
                Arguments.of("namespace/name of the Ingress's own namespace counts",
                        List.of(secret("ns", "users"), ingress("ns", "a", Map.of(N + "auth-type", "basic", N + "auth-secret", "ns/users"))),
                        List.of("c/Ingress/ns/a", "c/Secret/ns/users")),
                Arguments.of("an Ingress cannot have a Secret of another namespace published",
                        List.of(secret("other", "users"), ingress("ns", "a", Map.of(N + "auth-type", "basic",
                                N + "auth-secret", "other/users"))),
                        List.of("c/Ingress/ns/a")),
                Arguments.of("auth-secret without auth-type publishes nothing",
                        List.of(secret("ns", "users"), ingress("ns", "a", Map.of(N + "auth-secret", "users"))),
                        List.of("c/Ingress/ns/a")),
                Arguments.of("signalbox.dev/ names win",
                        List.of(secret("ns", "mine"), secret("ns", "theirs"), ingress("ns", "a", Map.of("signalbox.dev/auth-type", "basic",
                                "signalbox.dev/auth-secret", "mine", N + "auth-secret", "theirs"))),
                        List.of("c/Ingress/ns/a", "c/Secret/ns/mine")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsOnlyNamedAuthSecrets(String name, List<Observed> objects, List<String> kept) {
        Map<ObjectKey, Observed> in = new HashMap<>();
        objects.forEach(o -> in.put(o.key(), o));
        assertEquals(kept, new TreeSet<>(AuthSecrets.keepReferenced(in).keySet()).stream().map(ObjectKey::recordKey).toList());
    }
}
