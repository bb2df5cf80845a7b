package dev.signalbox.watcher.model;

import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.schemas.event.ObjectState;
import dev.signalbox.schemas.event.TlsSecretState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Decides what a leader publishes so that the events topic says what the cluster says. Pure: the
 * callers own the threads and the I/O.
 */
public final class LogDiff {
    private LogDiff() {
    }

    /**
     * The events that bring the log up to date with the cluster at takeover: an UPSERT for every object
     * whose resourceVersion the log does not have as its live version (or whose private key the log has
     * sealed with another key than this watcher's active one: rotation), and a DELETE for every key the
     * log has live that the cluster no longer has (it was deleted while no leader ran). Sorted by key.
     */
    public static List<Change> reconcile(Map<ObjectKey, LogEntry> log, Map<ObjectKey, Observed> cluster) {
        TreeSet<ObjectKey> keys = new TreeSet<>(log.keySet());
        keys.addAll(cluster.keySet());
        List<Change> out = new ArrayList<>();
        for (ObjectKey key : keys) {
            LogEntry logged = log.get(key);
            Observed now = cluster.get(key);
            if (now != null) {
                if (logged == null || logged.deleted() || !sameVersion(logged, now)) {
                    out.add(new Change.Upsert(now));
                }
            } else if (logged != null && !logged.deleted()) {
                out.add(new Change.Delete(key, logged.uid(), logged.resourceVersion()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The event for one live change of {@code key}, or none when it changes nothing routing sees: the
     * same resourceVersion as the log's, or a new one whose converted state equals the logged state
     * (only ignored fields such as status, managedFields or last-applied-configuration changed).
     *
     * @param now the object as the source sees it now, or null when it is gone
     */
    public static Optional<Change> onChange(ObjectKey key, LogEntry logged, Observed now) {
        boolean live = logged != null && !logged.deleted();
        if (now == null) {
            return live ? Optional.of(new Change.Delete(key, logged.uid(), logged.resourceVersion())) : Optional.empty();
        }
        if (live && (sameVersion(logged, now)
                || Objects.equals(logged.uid(), now.uid()) && Objects.equals(logged.state(), now.state()))) {
            return Optional.empty();
        }
        return Optional.of(new Change.Upsert(now));
    }

    /**
     * The log has this version of the object, sealed with the key this watcher seals with: after a key
     * rotation, a leader republishes its Secrets under the new key so the old one can be retired.
     */
    private static boolean sameVersion(LogEntry logged, Observed now) {
        return Objects.equals(logged.resourceVersion(), now.resourceVersion())
                && Objects.equals(sealingKeyId(logged.state()), sealingKeyId(now.state()));
    }

    private static String sealingKeyId(ObjectState s) {
        if (s instanceof dev.signalbox.schemas.event.AuthSecretState a) {
            return a.data() == null ? null : a.data().keyId();
        }
        return s instanceof TlsSecretState t && t.privateKey() != null ? t.privateKey().keyId() : null;
    }
}
