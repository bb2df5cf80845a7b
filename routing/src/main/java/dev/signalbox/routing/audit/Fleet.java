package dev.signalbox.routing.audit;

import dev.signalbox.schemas.ack.ProxyAck;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fleet as its acknowledgements tell it ({@code bin/ingress fleet}): each node's version, readiness and
 * last word, and for each version how long it took from publication to the last proxy. Pure: the
 * acknowledgements (in log order), the versions published and now come in.
 */
public final class Fleet {
    private Fleet() {
    }

    /** A version as the snapshots topic has it. */
    public record Published(long version, Instant publishedAt) {
    }

    /**
     * One node.
     *
     * @param state        up; gone (silent longer than gone-after); stopped (said so when it shut down)
     * @param lastRejected the last version it rejected and why ("7: ..."), or null
     */
    public record Node(String node, String cluster, String zone, long version, Instant appliedAt, boolean ready,
                       Instant lastSeen, String state, String lastRejected) {
    }

    /**
     * One version's propagation.
     *
     * @param allAppliedAt  when the last of the nodes that were there at its publication had it (or a later
     *                      version); null while some have not
     * @param nodesApplied  of those nodes, how many had it
     * @param nodesTotal    the nodes that were there at its publication and are not stopped or gone since
     */
    public record Version(long version, Instant publishedAt, Instant allAppliedAt, int nodesApplied, int nodesTotal) {
        /** Publication to the last proxy, or null. */
        public Long millisToLastProxy() {
            return allAppliedAt == null ? null : Math.max(0, Duration.between(publishedAt, allAppliedAt).toMillis());
        }
    }

    /** The whole answer; p50 and p99 over the versions every node had, null when there are none. */
    public record View(List<Node> nodes, List<Version> versions, Long p50Millis, Long p99Millis) {
    }

    public static View of(List<ProxyAck> acks, List<Published> published, Instant now, Duration goneAfter) {
        Map<String, List<ProxyAck>> byNode = new TreeMap<>();
        acks.forEach(a -> byNode.computeIfAbsent(a.node(), k -> new ArrayList<>()).add(a));
        List<Node> nodes = new ArrayList<>();
        for (Map.Entry<String, List<ProxyAck>> e : byNode.entrySet()) {
            nodes.add(node(e.getKey(), e.getValue(), now, goneAfter));
        }
        List<Version> versions = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (Published p : published) {
            int total = 0;
            int applied = 0;
            Instant last = null;
            for (Map.Entry<String, List<ProxyAck>> e : byNode.entrySet()) {
                List<ProxyAck> mine = e.getValue();
                Node n = nodes.stream().filter(x -> x.node().equals(e.getKey())).findFirst().orElseThrow();
                boolean thereAtPublication = !mine.get(0).at().isAfter(p.publishedAt());
                if (!thereAtPublication || (!n.state().equals("up") && n.lastSeen().isBefore(p.publishedAt()))) {
                    continue;
                }
                total++;
                Instant had = firstHad(mine, p.version());
                if (had != null) {
                    applied++;
                    last = last == null || had.isAfter(last) ? had : last;
                }
            }
            Version v = new Version(p.version(), p.publishedAt(), total > 0 && applied == total ? last : null, applied, total);
            versions.add(v);
            if (v.millisToLastProxy() != null) {
                times.add(v.millisToLastProxy());
            }
        }
        times.sort(null);
        return new View(nodes, versions, percentile(times, 50), percentile(times, 99));
    }

    private static Node node(String id, List<ProxyAck> acks, Instant now, Duration goneAfter) {
        ProxyAck last = acks.get(acks.size() - 1);
        ProxyAck serving = null;
        String rejected = null;
        for (ProxyAck a : acks) {
            if (a.type() == ProxyAck.Type.REJECTED) {
                rejected = a.version() + ": " + a.reason();
            } else {
                serving = a;
            }
        }
        String state = last.type() == ProxyAck.Type.STOPPED ? "stopped"
                : Duration.between(last.at(), now).compareTo(goneAfter) > 0 ? "gone" : "up";
        long version = serving == null ? 0 : serving.version();
        return new Node(id, last.cluster(), last.zone(), version, serving == null ? null : serving.appliedAt(),
                state.equals("up") && last.ready(), last.at(), state, rejected);
    }

    /** When the node first served {@code version} or a later one, or null. */
    private static Instant firstHad(List<ProxyAck> acks, long version) {
        for (ProxyAck a : acks) {
            if (a.type() != ProxyAck.Type.REJECTED && a.version() >= version) {
                return a.type() == ProxyAck.Type.APPLIED || a.appliedAt() == null ? a.at() : a.appliedAt();
            }
        }
        return null;
    }

    /** Nearest-rank percentile of sorted values. */
    static Long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
