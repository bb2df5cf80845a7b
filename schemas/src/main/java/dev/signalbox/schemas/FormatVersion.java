package dev.signalbox.schemas;

/**
 * The format version written into every event and snapshot record. Readers accept records whose
 * version is at most {@link #CURRENT}; a newer record is a decode failure (logged, counted, skipped),
 * so an old proxy never misreads a table written by a newer compiler.
 *
 * <p>History: 1, the first format; 2, TLS private keys sealed (AES-256-GCM) instead of PEM text, and
 * Secrets carry ca.crt. A version-1 TlsSecret or TlsBinding record no longer decodes (it held a key in
 * clear); the watcher republishes the Secret when it next starts.
 */
public final class FormatVersion {
    public static final int CURRENT = 2;

    private FormatVersion() {
    }
}
