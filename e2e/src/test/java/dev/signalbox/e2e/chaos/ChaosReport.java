package dev.signalbox.e2e.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One row of the chaos suite's figures: printed, and appended to {@code target/chaos-figures.tsv} so the
 * suite can print every scenario's row as one table at the end. Values are measured by the scenario, never
 * written in by hand. Public for the scenarios outside this package (PoisonRecordsIT).
 */
public final class ChaosReport {
    static final Path FIGURES = Path.of("target", "chaos-figures.tsv");

    private ChaosReport() {
    }

    /**
     * @param scenario   what was done, in a few words
     * @param recovery   takeover or recovery time as measured, e.g. "4.2 s" or "1.8-2.1 s"
     * @param lost       events or requests lost (count, and of what)
     * @param duplicates duplicates seen
     * @param failed     failed requests (count of total)
     */
    public static void row(String scenario, String recovery, String lost, String duplicates, String failed) {
        String line = String.join("\t", clean(scenario), clean(recovery), clean(lost), clean(duplicates), clean(failed));
        System.out.println("CHAOS | " + line.replace('\t', '|'));
        try {
            Files.createDirectories(FIGURES.getParent());
            Files.writeString(FIGURES, line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Milliseconds as seconds with one decimal, e.g. "1.8, 2.1 s". */
    public static String seconds(List<Long> millis) {
        return millis.stream().map(ms -> String.format("%.1f", ms / 1000.0)).collect(Collectors.joining(", ")) + " s";
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ');
    }
}
