package dev.signalbox.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.compiler.kafka.Replay;
import dev.signalbox.compiler.kafka.ReplayCursor;
import dev.signalbox.launcher.audit.AuditLog;
import dev.signalbox.routing.audit.TableDiff;
import dev.signalbox.schemas.codec.Json;
import dev.signalbox.schemas.codec.SnapshotCodec;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.schemas.snapshot.RoutingTable;
import dev.signalbox.snapshotlog.SnapshotLog.Entry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/ingress verify}: replays the events log through the compiler and checks that every recorded
 * snapshot's table is reproduced (same content hash). Proves the snapshots topic was written by the compiler
 * from the events, and finds a tampered or hand-written record.
 */
@Command(name = "verify", header = "Replays the events and checks every recorded snapshot is reproduced.",
        mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Folds the events log forward through the compiler and, at each recorded snapshot's provenance, "
            + "recompiles the table and compares content hashes. Prints progress on stderr, then versions checked, "
            + "identical and different, and the first difference with a diff of the two tables (recorded against "
            + "replayed). Exit 1 when a snapshot differs or a snapshot record cannot be read.")
final class VerifyCommand implements Callable<Integer> {
    private static final int BATCH = 500;

    @Mixin
    AuditOptions audit;

    @Option(names = "--from-version", paramLabel = "N", description = "The first version to check (default: the oldest retained).")
    Long fromVersion;

    @Option(names = "--to-version", paramLabel = "M", description = "The last version to check (default: the latest).")
    Long toVersion;

    @Option(names = "--progress-every-ms", defaultValue = "2000", paramLabel = "MS", converter = Port.Millis.class,
            description = "How often progress is printed on stderr: a bar redrawn in place on a terminal, else a line each time.")
    Duration progressEvery;

    @Override
    public Integer call() {
        if (fromVersion != null && toVersion != null && fromVersion > toVersion) {
            throw audit.usage("--from-version " + fromVersion + " is after --to-version " + toVersion);
        }
        return audit.run(log -> {
            long begin = log.snapshots().beginningOffset(AuditLog.TIMEOUT);
            long end = log.snapshots().endOffset(AuditLog.TIMEOUT);
            long start = begin;
            if (fromVersion != null) {
                start = log.version(fromVersion).map(Entry::firstOffset).orElse(-1L);
                if (start < 0) {
                    audit.message("signalbox: no snapshot with version " + fromVersion + " in the snapshots topic");
                    return AuditOptions.NEGATIVE;
                }
            }
            // Records are read to the end (or --to-version): the last record need not hold the highest version.
            long top = toVersion != null ? toVersion : Long.MAX_VALUE;
            // For the progress bar only: how many versions there are to check (the latest one's number bounds it).
            long firstVersion = log.snapshots().read(start, end, 1, AuditLog.TIMEOUT).stream().findFirst()
                    .map(e -> e.snapshot().version()).orElse(0L);
            long lastVersion = toVersion != null ? toVersion : log.latest().map(e -> e.snapshot().version()).orElse(0L);
            long total = firstVersion == 0 || lastVersion < firstVersion ? -1 : lastVersion - firstVersion + 1;
            boolean terminal = System.console() != null;
            long failuresBefore = log.snapshots().decodeFailures();
            long checked = 0;
            long identical = 0;
            List<Long> different = new ArrayList<>();
            ObjectNode first = null;
            long t0 = System.nanoTime();
            long lastProgress = t0;
            try (ReplayCursor replay = new ReplayCursor(audit.kafka.connection())) {
                long next = start;
                boolean done = false;
                while (!done && next < end) {
                    List<Entry> batch = log.snapshots().read(next, end, BATCH, AuditLog.TIMEOUT);
                    if (batch.isEmpty()) {
                        break;
                    }
                    for (Entry e : batch) {
                        RoutingSnapshot s = e.snapshot();
                        if (s.version() > top) {
                            done = true;
                            break;
                        }
                        // A record out of order (a forged or re-sent one) is replayed on its own, from the start.
                        RoutingTable replayed = replay.canReach(s.provenance()) ? replay.tableAt(s.provenance())
                                : Replay.tableAt(audit.kafka.connection(), s.provenance());
                        checked++;
                        if (SnapshotCodec.contentHashAs(s.contentHash(), replayed).equals(s.contentHash())) {
                            identical++;
                        } else {
                            different.add(s.version());
                            if (first == null) {
                                first = difference(s, replayed, e);
                            }
                        }
                        long now = System.nanoTime();
                        if (now - lastProgress >= progressEvery.toNanos()) {
                            progress(new ProgressLine(checked, total, s.version(), replay.events(), (now - t0) / 1e9), terminal);
                            lastProgress = now;
                        }
                    }
                    next = batch.get(batch.size() - 1).offset() + 1;
                }
                progress(new ProgressLine(checked, total, -1, replay.events(), (System.nanoTime() - t0) / 1e9), terminal);
            }
            long unreadable = log.snapshots().decodeFailures() - failuresBefore;
            print(checked, identical, different, first, unreadable);
            return different.isEmpty() && unreadable == 0 ? AuditOptions.DONE : AuditOptions.NEGATIVE;
        });
    }

    /**
     * Progress on stderr (stdout holds the answer): on a terminal a bar redrawn in place, ending with the
     * summary line; otherwise a line each time, for logs.
     */
    private void progress(ProgressLine p, boolean terminal) {
        if (terminal) {
            audit.err().print("\r" + p.bar());
            if (p.version() < 0) {
                audit.err().println();
                audit.err().println(p.text());
            }
        } else {
            audit.err().println(p.text());
        }
        audit.err().flush();
    }

    private static ObjectNode difference(RoutingSnapshot recorded, RoutingTable replayed, Entry e) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        d.put("version", recorded.version());
        d.put("offset", e.offset());
        d.put("recordedHash", recorded.contentHash());
        d.put("replayedHash", SnapshotCodec.contentHashAs(recorded.contentHash(), replayed));
        RoutingSnapshot asReplayed = SnapshotCodec.create(recorded.version(), recorded.createdAt(), recorded.provenance(), replayed);
        // What the record has that the events do not give: replayed -> recorded.
        d.set("diff", TableDiff.of(asReplayed, recorded).toJson());
        return d;
    }

    private void print(long checked, long identical, List<Long> different, ObjectNode first, long unreadable) {
        if (audit.json()) {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("checked", checked);
            root.put("identical", identical);
            root.set("different", Json.MAPPER.valueToTree(different));
            root.put("unreadableRecords", unreadable);
            root.set("firstDifference", first);
            audit.printJson(root);
            return;
        }
        var out = audit.out();
        out.println("checked " + checked + ", identical " + identical + ", different " + different.size()
                + (different.isEmpty() ? "" : " " + different) + (unreadable == 0 ? "" : ", unreadable records " + unreadable));
        if (first != null) {
            out.println("first difference: version " + first.path("version").asLong() + " at offset "
                    + first.path("offset").asLong() + ": recorded " + first.path("recordedHash").asText() + ", replayed "
                    + first.path("replayedHash").asText());
            ObjectNode diff = (ObjectNode) first.path("diff");
            for (String kind : TableDiff.KINDS) {
                diff.path("added").path(kind).forEach(n -> out.println("  + " + kind + " " + DiffCommand.describe(kind, n)
                        + "   (in the record only)"));
                diff.path("removed").path(kind).forEach(n -> out.println("  - " + kind + " " + DiffCommand.describe(kind, n)
                        + "   (replayed only)"));
                diff.path("changed").path(kind).forEach(c -> out.println("  ~ " + kind + " replayed "
                        + DiffCommand.describe(kind, c.path("before")) + "  recorded " + DiffCommand.describe(kind, c.path("after"))));
            }
        }
        out.flush();
    }
}
