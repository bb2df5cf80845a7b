package dev.signalbox.schemas.snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What changed in a {@link RoutingTable} from one version to the next (issue 15): the virtual hosts, backends,
 * TLS bindings and owned Ingresses that were added or replaced, each whole with the key of the entry it follows in
 * the new table, and the keys of those removed; the default backend and the diagnostics whole when either changed.
 * Entries are compared by key (host, backend id, TLS host, the Ingress itself) and {@code equals}, never field by
 * field, so a field added to a route or a backend is carried by the delta as it is. Pure and immutable.
 *
 * <p>{@link #applyTo} rebuilds the new table from the old one exactly, lists in the same order, as long as the
 * entries the two tables share keep their relative order (the compiler sorts every list by its key, so they do);
 * the snapshot's content hash is the check.
 *
 * @param others the default backend and the diagnostics, or null when neither changed
 */
public record TableDelta(List<Upsert<VirtualHost>> virtualHosts, List<String> removedHosts,
                         List<Upsert<Backend>> backends, List<String> removedBackends,
                         List<Upsert<TlsBinding>> tls, List<String> removedTls,
                         List<Upsert<String>> ingresses, List<String> removedIngresses, Others others) {

    /**
     * An entry added or replaced.
     *
     * @param after the key of the entry it follows in the new table, or null when it is the first
     */
    public record Upsert<T>(String after, T entry) {
    }

    /** The table's single fields, sent whole when one changed. */
    public record Others(String defaultBackend, List<Diagnostic> diagnostics) {
        public Others {
            diagnostics = List.copyOf(diagnostics);
        }
    }

    public TableDelta {
        virtualHosts = copy(virtualHosts);
        removedHosts = copy(removedHosts);
        backends = copy(backends);
        removedBackends = copy(removedBackends);
        tls = copy(tls);
        removedTls = copy(removedTls);
        ingresses = copy(ingresses);
        removedIngresses = copy(removedIngresses);
    }

    private static <T> List<T> copy(List<T> l) {
        return l == null ? List.of() : List.copyOf(l);
    }

    /** The changes that turn {@code from} into {@code to}. */
    public static TableDelta between(RoutingTable from, RoutingTable to) {
        Keyed<VirtualHost> hosts = diff(from.virtualHosts(), to.virtualHosts(), VirtualHost::host);
        Keyed<Backend> backends = diff(from.backends(), to.backends(), Backend::id);
        Keyed<TlsBinding> tls = diff(from.tls(), to.tls(), TlsBinding::host);
        Keyed<String> ingresses = diff(from.ingresses(), to.ingresses(), Function.identity());
        Others others = Objects.equals(from.defaultBackend(), to.defaultBackend()) && from.diagnostics().equals(to.diagnostics())
                ? null : new Others(to.defaultBackend(), to.diagnostics());
        return new TableDelta(hosts.upserts(), hosts.removed(), backends.upserts(), backends.removed(), tls.upserts(),
                tls.removed(), ingresses.upserts(), ingresses.removed(), others);
    }

    /**
     * The table these changes make of {@code base}; checked as every table is when built.
     *
     * @throws IllegalArgumentException when the result is inconsistent (a delta applied to the wrong table)
     */
    public RoutingTable applyTo(RoutingTable base) {
        return new RoutingTable(
                apply(base.virtualHosts(), virtualHosts, removedHosts, VirtualHost::host),
                others == null ? base.defaultBackend() : others.defaultBackend(),
                apply(base.backends(), backends, removedBackends, Backend::id),
                apply(base.tls(), tls, removedTls, TlsBinding::host),
                apply(base.ingresses(), ingresses, removedIngresses, Function.identity()),
                others == null ? base.diagnostics() : others.diagnostics());
    }

    /** No change at all. */
    public boolean changesNothing() {
        return virtualHosts.isEmpty() && removedHosts.isEmpty() && backends.isEmpty() && removedBackends.isEmpty()
                && tls.isEmpty() && removedTls.isEmpty() && ingresses.isEmpty() && removedIngresses.isEmpty()
                && others == null;
    }

    private record Keyed<T>(List<Upsert<T>> upserts, List<String> removed) {
    }

    private static <T> Keyed<T> diff(List<T> from, List<T> to, Function<T, String> key) {
        Map<String, T> old = new HashMap<>(from.size() * 2);
        for (T e : from) {
            old.put(key.apply(e), e);
        }
        List<Upsert<T>> upserts = new ArrayList<>();
        Set<String> kept = new HashSet<>(to.size() * 2);
        String previous = null;
        for (T e : to) {
            String k = key.apply(e);
            kept.add(k);
            if (!e.equals(old.get(k))) {
                upserts.add(new Upsert<>(previous, e));
            }
            previous = k;
        }
        List<String> removed = new ArrayList<>();
        for (T e : from) {
            String k = key.apply(e);
            if (!kept.contains(k)) {
                removed.add(k);
            }
        }
        return new Keyed<>(upserts, removed);
    }

    /**
     * The base list without the removed and replaced entries, each upsert placed right after the entry it follows
     * (an entry kept from the base, or another upsert placed before it).
     */
    private static <T> List<T> apply(List<T> base, List<Upsert<T>> upserts, List<String> removed, Function<T, String> key) {
        if (upserts.isEmpty() && removed.isEmpty()) {
            return base;
        }
        Set<String> dropped = new HashSet<>(removed);
        Map<String, List<T>> following = new HashMap<>();
        List<T> first = new ArrayList<>();
        for (Upsert<T> u : upserts) {
            dropped.add(key.apply(u.entry()));
            if (u.after() == null) {
                first.add(u.entry());
            } else {
                following.computeIfAbsent(u.after(), k -> new ArrayList<>()).add(u.entry());
            }
        }
        List<T> out = new ArrayList<>(base.size() + upserts.size());
        for (T e : first) {
            emit(e, out, following, key);
        }
        for (T e : base) {
            if (!dropped.contains(key.apply(e))) {
                emit(e, out, following, key);
            }
        }
        if (!following.isEmpty()) {
            throw new IllegalArgumentException("delta places entries after " + following.keySet()
                    + ", which the table does not have");
        }
        return out;
    }

    /** Adds {@code e} and, after it, the chain of upserts that follow it (iteratively: a chain may be long). */
    private static <T> void emit(T e, List<T> out, Map<String, List<T>> following, Function<T, String> key) {
        if (following.isEmpty() || !following.containsKey(key.apply(e))) {
            // Most entries: nothing follows them (a delta of one change places one entry).
            out.add(e);
            return;
        }
        java.util.ArrayDeque<T> pending = new java.util.ArrayDeque<>();
        pending.push(e);
        while (!pending.isEmpty()) {
            T next = pending.pop();
            out.add(next);
            List<T> after = following.remove(key.apply(next));
            if (after != null) {
                for (int i = after.size() - 1; i >= 0; i--) {
                    pending.push(after.get(i));
                }
            }
        }
    }
}
