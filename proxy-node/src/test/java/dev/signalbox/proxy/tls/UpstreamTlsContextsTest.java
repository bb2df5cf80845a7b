package dev.signalbox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.snapshot.Backend;
import dev.signalbox.schemas.snapshot.Endpoint;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.UpstreamTls;
import dev.signalbox.testing.TestCerts;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client contexts for TLS backends: built per setting, kept while it does not change, refused when a key does not open. */
class UpstreamTlsContextsTest {
    private static final KeyRing KEYS = KeyRing.of(Map.of("k1", new byte[32]), null);
    private static final TestCerts.Cert CA = TestCerts.ca("ca");
    private static final TestCerts.Cert CLIENT = TestCerts.issuedBy(CA, "proxy.test");

    private static UpstreamTls tls(String secret, KeyRing ring) {
        return new UpstreamTls("web.ns.svc", true, secret, CA.certPem(), CLIENT.certPem(),
                ring.seal(CLIENT.keyPem().getBytes(StandardCharsets.US_ASCII), secret));
    }

    private static RoutingSnapshot snapshot(long version, UpstreamTls... settings) {
        List<Backend> backends = new java.util.ArrayList<>();
        for (UpstreamTls t : settings) {
            backends.add(new Backend(Backend.idOf("c", "ns", "web", "443", t), "c", "ns", "web", "443",
                    List.of(new Endpoint("10.0.0.1", 8443)), null, t));
        }
        return SnapshotCodec.create(version, Instant.EPOCH, List.of(),
                new RoutingTable(List.of(), null, backends, List.of(), List.of()));
    }

    @Test
    void anUnchangedSettingKeepsItsContextAcrossVersionsAndAChangedOneGetsANewOne() {
        UpstreamTlsContexts contexts = new UpstreamTlsContexts(KEYS);
        UpstreamTls a = tls("c/ns/a", KEYS);
        UpstreamTls b = tls("c/ns/b", KEYS);
        contexts.update(snapshot(1, a));
        SslContext first = contexts.context(a);
        contexts.update(snapshot(2, a, b));
        SslContext kept = contexts.context(a);
        contexts.update(snapshot(3, b));
        assertEquals(List.of(true, true, false), List.of(first != null, kept == first,
                contexts.context(a) != null));
    }

    @Test
    void aClientKeySealedUnderAnotherKeyRingIsAnUnusableSetting() {
        UpstreamTlsContexts contexts = new UpstreamTlsContexts(KEYS);
        UpstreamTls foreign = tls("c/ns/a", KeyRing.of(Map.of("k9", new byte[32]), null));
        contexts.update(snapshot(1, foreign));
        assertEquals(1, contexts.unusable().size(), String.valueOf(contexts.unusable()));
    }
}
