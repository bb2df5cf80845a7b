package dev.signalbox.schemas;

/**
 * The format version written into every event and snapshot record. Readers accept records whose
 * version is at most {@link #CURRENT}; a newer record is a decode failure (logged, counted, skipped),
 * so an old proxy never misreads a table written by a newer compiler.
 *
 * <p>History: 1, the first format; 2, TLS private keys sealed (AES-256-GCM) instead of PEM text, and
 * Secrets carry ca.crt. A version-1 TlsSecret or TlsBinding record no longer decodes (it held a key in
 * clear); the watcher republishes the Secret when it next starts. 3, snapshots and deltas carry a content hash that
 * is updated per entry ({@code TableHasher}, "sha256-tree:"); records of versions 1 and 2 keep the hash of their
 * whole table's JSON ("sha256:"), and readers check each record by the definition its hash names. Events did not
 * change, but carry 3 like every record written: upgrade proxies and compilers before watchers.
 */
public final class FormatVersion {
    public static final int CURRENT = 3;

    private FormatVersion() {
    }
}
