package dev.signalbox.launcher;

import dev.signalbox.routing.Locality;
import dev.signalbox.routing.audit.Cause;
import dev.signalbox.routing.audit.Explain;
import dev.signalbox.routing.audit.Explanation;
import dev.signalbox.routing.audit.ForeignIngress;
import dev.signalbox.snapshotlog.SnapshotLog.Entry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/ingress explain}: how a request would have been routed, answered by the proxy's own matcher
 * ({@link Explain}) on the snapshot in force then.
 */
@Command(name = "explain", header = "How a request would have been routed, and why.",
        showDefaultValues = true, sortOptions = false,
        description = "Routes one request through a snapshot with the proxy's own matcher: the virtual host (exact or "
            + "wildcard), the rule and path type, the Ingress, the backend and its endpoints then, the TLS "
            + "certificate, and the events that last changed the route. For a miss, why: no such host, no such path "
            + "(with the host's paths), an Ingress of another class, or no ready endpoint (503). Exit 1 when the "
            + "request would not be served (404, 503, 400). --at a time older than every kept snapshot: on the table "
            + "recompiled from the events, as show does (no lastChangedBy). Which endpoints serve (locality) is for a proxy at "
            + "--cluster-id, --zone and --locality.")
final class ExplainCommand implements Callable<Integer> {
    /** How far back lastChangedBy looks for the version that last changed the route. */
    static final int LAST_CHANGE_LOOKBACK = 100;

    @Mixin
    AuditOptions audit;

    // Not mixinStandardHelpOptions: its -V/--version would clash with --version N (the snapshot version).
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--host", required = true, paramLabel = "H", description = "The Host header.")
    String host;

    @Option(names = "--path", required = true, paramLabel = "P", description = "The request target, e.g. /checkout?x=1.")
    String path;

    @Option(names = "--method", defaultValue = "GET", paramLabel = "M", description = "The request method.")
    String method;

    @Option(names = "--https", description = "The request comes over HTTPS (else a route served over HTTPS only answers 308).")
    boolean https;

    @ArgGroup(exclusive = true)
    SnapshotChoice choice;

    @Option(names = "--cluster-id", defaultValue = "local", paramLabel = "ID",
            description = "The cluster of the proxy asked about: which endpoints serve depends on where it runs.")
    String clusterId;

    @Mixin
    LocalityOption locality;

    @Override
    public Integer call() {
        return audit.run(log -> {
            log.prepareEvents();
            Optional<SnapshotChoice.Picked> p = SnapshotChoice.pickOrRecompile(choice, log, audit);
            if (p.isEmpty()) {
                return AuditOptions.NEGATIVE;
            }
            Optional<Entry> e = Optional.of(p.get().entry());
            Locality proxy = locality.in(clusterId);
            Explanation x = Explain.explain(e.get().snapshot(), proxy, host, path, method, https, List.of());
            if (x.status() == 404 && x.virtualHost() == null) {
                // Only an unknown host needs the events: was it named by an Ingress that is not ours?
                List<ForeignIngress> foreign = log.foreignIngresses(e.get().snapshot());
                x = Explain.explain(e.get().snapshot(), proxy, host, path, method, https, foreign);
            }
            // A recompiled table has no snapshots before it to compare with: no lastChangedBy.
            if (x.route() != null && !p.get().isRecompiled()) {
                x = x.withLastChangedBy(log.lastChanged(e.get(), x.virtualHost(), x.route().path(), x.backend().id(),
                        LAST_CHANGE_LOOKBACK));
            }
            if (audit.json()) {
                com.fasterxml.jackson.databind.node.ObjectNode doc = dev.signalbox.schemas.codec.Json.MAPPER.valueToTree(x);
                p.get().describe(doc);
                audit.printJson(doc);
            } else {
                print(x, p.get());
            }
            return x.matched() ? AuditOptions.DONE : AuditOptions.NEGATIVE;
        });
    }

    private void print(Explanation x, SnapshotChoice.Picked picked) {
        var out = audit.out();
        out.println(picked.isRecompiled() ? "recompiled from the events up to " + picked.at() + " (no snapshot of then is kept)"
                : "version " + x.version() + " (published " + audit.when(picked.entry().publishedAt()) + ")");
        out.println("status      " + x.status() + (x.matched() ? "" : " (not served)"));
        out.println("reason      " + x.reason());
        if (x.virtualHost() != null) {
            out.println("virtualHost " + x.virtualHost() + (x.hostMatch() == null ? "" : " (" + x.hostMatch() + ")"));
        }
        if (x.route() != null) {
            out.println("route       " + x.route().path() + " (" + x.route().pathType() + ")"
                    + (x.route().httpsRedirect() ? ", HTTPS only" : "") + " of Ingress " + x.route().ingress().cluster()
                    + "/" + x.route().ingress().namespace() + "/" + x.route().ingress().name());
        }
        if (x.backend() != null) {
            out.println("backend     " + x.backend().id() + " -> " + (x.backend().endpoints().isEmpty() ? "no endpoints"
                    : x.backend().endpoints().stream().map(p -> p.address() + ":" + p.port()).collect(Collectors.joining(", "))));
        }
        if (x.locality() != null) {
            Explanation.LocalityRef l = x.locality();
            out.println("locality    " + String.join("+", l.tiers()) + " -> " + l.endpoints().stream()
                    .map(p -> p.address() + ":" + p.port()).collect(Collectors.joining(", ")) + " (a " + l.policy()
                    + " proxy in cluster " + l.cluster() + (l.zone() == null ? "" : ", zone " + l.zone()) + ")");
        }
        if (x.tls() != null) {
            out.println("tls         " + x.tls().host() + " <- secret " + x.tls().secret());
        }
        if (!x.candidates().isEmpty()) {
            out.println("candidates  " + String.join(", ", x.candidates()));
        }
        for (Cause c : x.lastChangedBy()) {
            out.println("changed by  " + c.op() + " " + c.cluster() + "/" + c.kind() + "/" + c.namespace() + "/" + c.name()
                    + " at events-" + c.partition() + "@" + c.offset() + " " + c.observedAt());
        }
        out.flush();
    }
}
