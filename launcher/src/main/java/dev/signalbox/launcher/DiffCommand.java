package dev.signalbox.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signalbox.launcher.audit.AuditLog;
import dev.signalbox.routing.audit.TableDiff;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bin/ingress diff}: what changed between two versions, or between the tables in force at two times. */
@Command(name = "diff", header = "What changed between two versions (or two times).", mixinStandardHelpOptions = true,
        showDefaultValues = true, sortOptions = false,
        description = "Routes, backends, endpoints, TLS bindings and diagnostics added, removed and changed from version A "
            + "to version B, or from the table in force at T1 to the one at T2 (--at T1 --at T2). JSON: {\"from\", "
            + "\"to\", \"added\", \"removed\", \"changed\"}, elements shaped as show prints them. A time older than every "
            + "kept snapshot is answered with the table recompiled from the events up to then, as show --at does: said on "
            + "stderr, and in JSON fromRecompiledFromEvents/toRecompiledFromEvents true, that side's version null.")
final class DiffCommand implements Callable<Integer> {
    @Mixin
    AuditOptions audit;

    @Parameters(arity = "0..2", paramLabel = "VERSION", description = "Versions A and B.")
    List<Long> versions;

    @Option(names = "--at", paramLabel = "T", description = "Twice: the tables in force at T1 and at T2.")
    List<String> at;

    @Override
    public Integer call() {
        int given = (versions == null ? 0 : versions.size()) + (at == null ? 0 : at.size());
        if (given != 2 || (versions != null && !versions.isEmpty() && at != null && !at.isEmpty())) {
            throw audit.usage("give two versions (diff A B) or two times (diff --at T1 --at T2)");
        }
        return audit.run(log -> {
            Optional<SnapshotChoice.Picked> a;
            Optional<SnapshotChoice.Picked> b;
            if (versions != null && versions.size() == 2) {
                a = pick(log, versions.get(0), null);
                b = pick(log, versions.get(1), null);
            } else {
                a = pick(log, null, at.get(0));
                b = pick(log, null, at.get(1));
            }
            if (a.isEmpty() || b.isEmpty()) {
                return AuditOptions.NEGATIVE;
            }
            TableDiff d = TableDiff.of(a.get().entry().snapshot(), b.get().entry().snapshot());
            if (audit.json()) {
                ObjectNode doc = d.toJson();
                a.get().describeSide(doc, "from");
                b.get().describeSide(doc, "to");
                audit.printJson(doc);
            } else {
                print(d, a.get(), b.get());
            }
            return AuditOptions.DONE;
        });
    }

    /** A version, or the table in force at a time (recompiled from the events when no snapshot of then is kept). */
    private Optional<SnapshotChoice.Picked> pick(AuditLog log, Long version, String time) {
        SnapshotChoice c = new SnapshotChoice();
        c.version = version;
        c.at = time;
        return SnapshotChoice.pickOrRecompile(c, log, audit);
    }

    private static String side(SnapshotChoice.Picked p) {
        return p.isRecompiled() ? "the table recompiled from the events up to " + p.at()
                : "version " + p.entry().snapshot().version();
    }

    private void print(TableDiff d, SnapshotChoice.Picked a, SnapshotChoice.Picked b) {
        var out = audit.out();
        out.println("from " + side(a) + " to " + side(b) + (d.isEmpty() ? ": no difference" : ""));
        for (String kind : TableDiff.KINDS) {
            d.added().get(kind).forEach(n -> out.println("+ " + kind + " " + describe(kind, n)));
            d.removed().get(kind).forEach(n -> out.println("- " + kind + " " + describe(kind, n)));
            d.changed().get(kind).forEach(c -> out.println("~ " + kind + " " + describe(kind, c.before()) + "  =>  "
                    + describe(kind, c.after())));
        }
        out.flush();
    }

    /** One element on one line. */
    static String describe(String kind, JsonNode n) {
        return switch (kind) {
            case "routes" -> n.path("host").asText() + n.path("path").asText() + " (" + n.path("match").asText() + ") -> "
                    + n.path("backend").asText() + " from " + n.path("source").asText()
                    + (n.path("httpsRedirect").asBoolean() ? ", HTTPS only" : "");
            case "endpoints" -> n.path("backend").asText() + " " + n.path("address").asText() + ":" + n.path("port").asInt();
            case "tls" -> n.path("host").asText() + " <- secret " + n.path("secret").asText();
            case "diagnostics" -> n.path("severity").asText() + " " + n.path("kind").asText() + " " + n.path("namespace").asText()
                    + "/" + n.path("name").asText() + ": " + n.path("message").asText();
            case "backends" -> n.path("id").asText() + (n.path("unavailableReason").isTextual()
                    ? " (" + n.path("unavailableReason").asText() + ")" : "");
            default -> n.path("id").asText();
        };
    }
}
