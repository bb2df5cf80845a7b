package dev.signalbox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.schemas.snapshot.TlsBinding;
import dev.signalbox.testing.TestCerts;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Snapshots applied while the TLS set-up still runs reach the contexts when they arrive, in order. */
class ServerCertificatesTest {
    private static final KeyRing KEYS = KeyRing.of(Map.of("k", new byte[32]), null);
    private static final TestCerts.Cert FOO = TestCerts.selfSigned("foo.test");
    private static final TestCerts.Cert BAR = TestCerts.selfSigned("bar.test");

    @Test
    void theLatestSnapshotBeforeTheSetUpIsHandedToTheContextsAndOnlyThenDoesHttpsAccept() {
        ServerCertificates certs = new ServerCertificates();
        certs.update(snapshot(1, FOO, "foo.test"));
        certs.update(snapshot(2, BAR, "bar.test"));
        assertFalse(certs.serving().isDone(), "no HTTPS before the contexts exist");
        assertTrue(certs.unusable().isEmpty());

        TlsContexts contexts = TlsContexts.create(null, null, KEYS);
        var defaultContext = contexts.map("other.test");
        certs.ready(contexts);

        assertSame(contexts, certs.serving().getNow(null));
        assertNotSame(defaultContext, contexts.map("bar.test"), "version 2's certificate is served");
        assertSame(defaultContext, contexts.map("foo.test"), "version 1 was replaced by version 2");
    }

    @Test
    void afterTheSetUpSnapshotsGoStraightToTheContexts() {
        ServerCertificates certs = new ServerCertificates();
        TlsContexts contexts = TlsContexts.create(null, null, KEYS);
        var defaultContext = contexts.map("other.test");
        certs.ready(contexts);
        certs.update(snapshot(1, FOO, "foo.test"));
        assertNotSame(defaultContext, contexts.map("foo.test"));
    }

    @Test
    void aFailedSetUpFailsServing() {
        ServerCertificates certs = new ServerCertificates();
        certs.failed(new IllegalStateException("cannot load the default certificate"));
        assertTrue(certs.serving().isCompletedExceptionally());
    }

    private static RoutingSnapshot snapshot(long version, TestCerts.Cert cert, String host) {
        String secret = "c/default/tls-" + host;
        TlsBinding b = new TlsBinding(host, secret, cert.certPem(),
                KEYS.seal(cert.keyPem().getBytes(StandardCharsets.US_ASCII), secret));
        return SnapshotCodec.create(version, Instant.now(), List.of(),
                new RoutingTable(List.of(), null, List.of(), List.of(b), List.of()));
    }
}
