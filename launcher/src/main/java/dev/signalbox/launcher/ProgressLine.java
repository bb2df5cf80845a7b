package dev.signalbox.launcher;

/**
 * {@code verify}'s progress as text (pure): on a terminal one line redrawn in place with a bar, otherwise one
 * line at a time for a log. Written to stderr by the command, never to stdout (which holds the answer).
 *
 * @param checked versions checked so far
 * @param total   versions to check in all, or -1 when not known
 * @param version the version at hand, or -1 once done
 * @param events  events replayed so far
 * @param seconds time since the replay started
 */
record ProgressLine(long checked, long total, long version, long events, double seconds) {
    static final int BAR_WIDTH = 30;

    /** The line without the bar: "verify: 1200 versions checked (at version 1250), 1300 events replayed, 824 versions/s". */
    String text() {
        double s = Math.max(seconds, 1e-9);
        return String.format("verify: %d versions checked%s, %d events replayed, %.0f versions/s", checked,
                version < 0 ? String.format(" in %.1f s", s) : " (at version " + version + ")", events, checked / s);
    }

    /** For a terminal: "[#########.....]  60% 1200/2000 versions, 824 versions/s, 1 s left", no line end. */
    String bar() {
        if (total <= 0) {
            return text();
        }
        double done = Math.min(1.0, (double) checked / total);
        int filled = (int) Math.round(done * BAR_WIDTH);
        double rate = checked / Math.max(seconds, 1e-9);
        String left = version < 0 || rate <= 0 ? "" : String.format(", %.0f s left", (total - checked) / rate);
        return String.format("[%s%s] %3d%% %d/%d versions, %.0f versions/s%s", "#".repeat(filled), ".".repeat(BAR_WIDTH - filled),
                Math.round(done * 100), checked, total, rate, left);
    }
}
