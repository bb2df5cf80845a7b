package dev.signalbox.proxy.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FeedHealthTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Instant at(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    @Test
    void kafkaIsUnreachableOnceSilentLongerThanTheLimitAndReachableAgainOnTheNextAnswer() {
        FeedHealth h = new FeedHealth(T0, Duration.ofSeconds(3));
        assertEquals(new FeedHealth.View(false, null, T0, 0, null), h.view(at(1)), "never heard from: since start");
        h.contact(at(1));
        h.applied(4, at(1.5));
        assertEquals(new FeedHealth.View(true, at(1), null, 4, at(1.5)), h.view(at(4)), "3 s of silence is within");
        assertEquals(new FeedHealth.View(false, at(1), at(1), 4, at(1.5)), h.view(at(4.01)), "beyond 3 s");
        h.contact(at(60));
        assertEquals(new FeedHealth.View(true, at(60), null, 4, at(1.5)), h.view(at(60.5)));
    }
}
