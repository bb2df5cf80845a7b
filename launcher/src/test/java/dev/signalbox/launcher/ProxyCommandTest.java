package dev.signalbox.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProxyMainTest {
    @Test
    void parsesEveryOption() {
        ProxyConfig c = ProxyMain.parse(new String[] {"--kafka", "k:9092", "--http-port", "81", "--admin-port", "82",
            "--node-id", "n7", "--bind", "127.0.0.1"});
        assertEquals(new ProxyConfig("k:9092", "n7", "127.0.0.1", 81, 82, Duration.ofSeconds(2), Duration.ofSeconds(30)), c);
    }

    @Test
    void httpsIsServedOnlyWhenItsPortIsGiven() {
        ProxyConfig plain = ProxyMain.parse(new String[] {"--http-port", "81"});
        assertEquals(null, plain.https());
        ProxyConfig tls = ProxyMain.parse(new String[] {"--https-port", "8443", "--public-https-port", "443",
            "--default-cert", "/c.pem", "--default-key", "/k.pem"});
        assertEquals(new ProxyConfig.Https(8443, 443, java.nio.file.Path.of("/c.pem"), java.nio.file.Path.of("/k.pem")),
                tls.https());
        assertThrows(IllegalArgumentException.class, () -> ProxyMain.parse(new String[] {"--public-https-port", "443"}));
        assertThrows(IllegalArgumentException.class,
                () -> ProxyMain.parse(new String[] {"--https-port", "8443", "--default-cert", "/c.pem"}));
    }

    @Test
    void rejectsAPortThatIsNotANumber() {
        assertThrows(IllegalArgumentException.class, () -> ProxyMain.parse(new String[] {"--http-port", "eighty"}));
    }

    @Test
    void theDrainTimeoutDefaultsToTenSeconds() {
        assertEquals(Duration.ofSeconds(10), ProxyMain.drainTimeout(new String[] {"--http-port", "81"}));
        String[] args = {"--drain-timeout-ms", "2500", "--http-port", "81"};
        assertEquals(Duration.ofMillis(2500), ProxyMain.drainTimeout(args));
        assertEquals(81, ProxyMain.parse(args).httpPort());
        assertThrows(IllegalArgumentException.class, () -> ProxyMain.drainTimeout(new String[] {"--drain-timeout-ms", "-1"}));
    }
}
