package dev.signalbox.launcher;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.launcher.audit.AuditLog;
import dev.signalbox.routing.audit.Cause;
import dev.signalbox.routing.audit.TableDiff;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.snapshotlog.SnapshotLog.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/ingress history}: one row per snapshot version, what changed and which events caused it. The
 * window is found by time (the broker's time index), the last versions by a binary search on versions; only
 * the rows shown and the events between them are read.
 */
@Command(name = "history", header = "Snapshot versions, what changed and which objects caused it.",
        mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "One row per version: when it was published, its content hash, what changed (routes, backends, "
            + "endpoints, TLS bindings, diagnostics: added/removed/changed) and the events that caused it (the "
            + "events between the previous version's provenance and its own). With --since, the first --limit "
            + "versions published from then on; without, the last --limit versions (before --until). Oldest first.")
final class HistoryCommand implements Callable<Integer> {
    /** Versions read at a time while --host skips versions that do not touch it. */
    private static final int BATCH = 200;

    @Mixin
    AuditOptions audit;

    @Option(names = "--since", paramLabel = "T", description = "Versions published at or after T (RFC 3339 or an age: 10m, 2h, 3d).")
    String since;

    @Option(names = "--until", paramLabel = "T", description = "Versions published at or before T.")
    String until;

    @Option(names = "--host", paramLabel = "H", description = "Only versions that changed how this host is routed.")
    String host;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "At most this many versions.")
    int limit;

    /** One version with its change and its causes. */
    record Row(Entry entry, TableDiff diff, List<Cause> causes) {
    }

    @Override
    public Integer call() {
        if (limit < 1) {
            throw audit.usage("--limit must be at least 1");
        }
        Instant sinceTime = since == null ? null : audit.time("--since", since);
        Instant untilTime = until == null ? null : audit.time("--until", until);
        return audit.run(log -> {
            log.prepareEvents();
            long end = untilTime == null ? log.snapshots().endOffset(AuditLog.TIMEOUT)
                    : log.snapshots().offsetAt(untilTime.plusMillis(1), AuditLog.TIMEOUT);
            List<Row> rows = sinceTime != null ? forward(log, log.snapshots().offsetAt(sinceTime, AuditLog.TIMEOUT), end)
                    : backward(log, end);
            if (audit.json()) {
                audit.printJson(json(rows));
            } else {
                print(rows);
            }
            return AuditOptions.DONE;
        });
    }

    /** The first {@code limit} rows from offset {@code from} on. */
    private List<Row> forward(AuditLog log, long from, long end) {
        List<Row> rows = new ArrayList<>();
        long next = from;
        Entry before = null;
        boolean first = true;
        while (rows.size() < limit && next < end) {
            List<Entry> batch = log.snapshots().read(next, end, host == null ? limit - rows.size() : BATCH, AuditLog.TIMEOUT);
            if (batch.isEmpty()) {
                break;
            }
            if (first) {
                before = log.previous(batch.get(0));
                first = false;
            }
            for (Row r : rows(log, before, batch)) {
                if (rows.size() < limit) {
                    rows.add(r);
                }
            }
            before = batch.get(batch.size() - 1);
            next = before.offset() + 1;
        }
        return rows;
    }

    /** The last {@code limit} rows before offset {@code end}, found by version. */
    private List<Row> backward(AuditLog log, long end) {
        Optional<Entry> last = log.snapshots().lastBefore(end, AuditLog.TIMEOUT);
        if (last.isEmpty()) {
            return List.of();
        }
        List<Row> rows = new ArrayList<>();
        long top = last.get().snapshot().version();
        long blockEnd = end;
        int size = host == null ? limit : BATCH;
        while (rows.size() < limit && top >= 1) {
            long startVersion = Math.max(1, top - size + 1);
            long start = log.version(startVersion).map(Entry::firstOffset)
                    .orElse(log.snapshots().beginningOffset(AuditLog.TIMEOUT));
            List<Entry> batch = log.snapshots().read(start, blockEnd, Integer.MAX_VALUE, AuditLog.TIMEOUT);
            if (batch.isEmpty()) {
                break;
            }
            List<Row> found = rows(log, log.previous(batch.get(0)), batch);
            List<Row> merged = new ArrayList<>(found.subList(Math.max(0, found.size() - (limit - rows.size())), found.size()));
            merged.addAll(rows);
            rows = merged;
            if (start == log.snapshots().beginningOffset(AuditLog.TIMEOUT) || batch.get(0).snapshot().version() <= 1) {
                break;
            }
            top = batch.get(0).snapshot().version() - 1;
            blockEnd = batch.get(0).firstOffset();
        }
        return rows;
    }

    /** Rows for consecutive entries ({@code before} precedes the first), kept when they touch --host. */
    private List<Row> rows(AuditLog log, Entry before, List<Entry> batch) {
        List<List<Cause>> causes = log.causes(before, batch);
        List<Row> out = new ArrayList<>();
        Entry prev = before;
        for (int i = 0; i < batch.size(); i++) {
            Entry e = batch.get(i);
            TableDiff d = TableDiff.of(prev == null ? null : prev.snapshot(), e.snapshot());
            if (host == null || TableDiff.touchesHost(d, prev == null ? null : prev.snapshot(), e.snapshot(), host)) {
                out.add(new Row(e, d, causes.get(i)));
            }
            prev = e;
        }
        return out;
    }

    static ObjectNode json(List<Row> rows) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode versions = root.putArray("versions");
        for (Row r : rows) {
            ObjectNode v = versions.addObject();
            v.put("version", r.entry().snapshot().version());
            v.put("createdAt", r.entry().snapshot().createdAt().toString());
            v.put("publishedAt", r.entry().publishedAt().toString());
            v.put("hash", r.entry().snapshot().contentHash());
            ObjectNode changes = v.putObject("changes");
            r.diff().counts().forEach((kind, c) -> {
                ObjectNode k = changes.putObject(kind);
                k.put("added", c.added());
                k.put("removed", c.removed());
                k.put("changed", c.changed());
            });
            v.set("causes", Json.MAPPER.valueToTree(r.causes()));
        }
        return root;
    }

    private void print(List<Row> rows) {
        TextTable t = new TextTable("VERSION", "PUBLISHED", "HASH", "CHANGES", "CAUSES");
        for (Row r : rows) {
            t.row(r.entry().snapshot().version(), audit.when(r.entry().publishedAt()),
                    r.entry().snapshot().contentHash().substring(0, Math.min(19, r.entry().snapshot().contentHash().length())),
                    changes(r.diff().counts()), causes(r.causes()));
        }
        t.print(audit.out());
    }

    /** "routes +1 ~1, endpoints -2" */
    static String changes(Map<String, TableDiff.Count> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((kind, c) -> {
            StringBuilder s = new StringBuilder();
            if (c.added() > 0) {
                s.append(" +").append(c.added());
            }
            if (c.removed() > 0) {
                s.append(" -").append(c.removed());
            }
            if (c.changed() > 0) {
                s.append(" ~").append(c.changed());
            }
            if (s.length() > 0) {
                parts.add(kind + s);
            }
        });
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    /** "UPSERT c1/Ingress/shop/web, DELETE ...", the first few. */
    static String causes(List<Cause> causes) {
        String shown = causes.stream().limit(3).map(c -> c.op() + " " + c.cluster() + "/" + c.kind() + "/"
                + (c.namespace().isEmpty() ? "" : c.namespace() + "/") + c.name()).collect(Collectors.joining(", "));
        return causes.size() > 3 ? shown + " and " + (causes.size() - 3) + " more" : causes.isEmpty() ? "-" : shown;
    }
}
