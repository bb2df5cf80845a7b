package dev.signalbox.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** verify's progress: a bar for a terminal, lines for a log. */
class ProgressLineTest {
    @Test
    void aBarShowsTheShareDoneTheRateAndTheTimeLeft() {
        assertEquals(List.of(
                "[" + ".".repeat(30) + "]   0% 0/2000 versions, 0 versions/s",
                "[" + "#".repeat(18) + ".".repeat(12) + "]  60% 1200/2000 versions, 800 versions/s, 1 s left",
                "[" + "#".repeat(30) + "] 100% 2000/2000 versions, 800 versions/s"),
                List.of(new ProgressLine(0, 2000, 1, 0, 0.5).bar(),
                        new ProgressLine(1200, 2000, 1250, 1300, 1.5).bar(),
                        new ProgressLine(2000, 2000, -1, 2100, 2.5).bar()));
    }

    @Test
    void withoutAKnownTotalOrOffATerminalItIsALine() {
        assertEquals("verify: 1200 versions checked (at version 1250), 1300 events replayed, 800 versions/s",
                new ProgressLine(1200, -1, 1250, 1300, 1.5).bar());
        assertEquals("verify: 2000 versions checked in 2.5 s, 2100 events replayed, 800 versions/s",
                new ProgressLine(2000, 2000, -1, 2100, 2.5).text());
    }
}
