package dev.signalbox.schemas;

/**
 * The format version written into every event and snapshot record. Readers accept records whose
 * version is at most {@link #CURRENT}; a newer record is a decode failure (logged, counted, skipped),
 * so an old proxy never misreads a table written by a newer compiler.
 */
public final class FormatVersion {
    public static final int CURRENT = 1;

    private FormatVersion() {
    }
}
