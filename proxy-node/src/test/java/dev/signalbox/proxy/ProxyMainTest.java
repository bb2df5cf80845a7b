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
    void rejectsAPortThatIsNotANumber() {
        assertThrows(IllegalArgumentException.class, () -> ProxyMain.parse(new String[] {"--http-port", "eighty"}));
    }
}
