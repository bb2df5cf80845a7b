package dev.signalbox.watcher;

import dev.signalbox.schemas.KafkaConnection;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.schemas.snapshot.Diagnostic;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.watcher.k8s.KubeStatus;
import dev.signalbox.watcher.status.DiagnosticReports;
import dev.signalbox.watcher.status.IngressRef;
import dev.signalbox.watcher.status.LbAddress;
import dev.signalbox.watcher.status.StatusPlan;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what the compiler made of this cluster back to Kubernetes, while this watcher leads: follows the
 * snapshots topic, keeps {@code status.loadBalancer.ingress} of the Ingresses the latest snapshot lists
 * equal to the configured addresses (and clears it on those no longer listed), and turns each newly
 * appeared diagnostic of this cluster into a Warning Event. Decisions are made by the pure
 * {@link StatusPlan} and {@link DiagnosticReports}; this class owns the thread
 * ("signalbox-watcher-status") and the snapshot reader. Other threads only call {@link #lead},
 * {@link #stepDown}, {@link #changed} and {@link #close}.
 */
final class StatusReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaConnection kafka;
    private final String clusterId;
    private final Supplier<Optional<List<LbAddress>>> addresses;
    private final KubeStatus kube;
    private final Thread thread;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final Object lock = new Object();
    private boolean leading;
    private long term;
    private boolean closed;
    private volatile SnapshotLog log;
    private volatile long statusWrites;
    private volatile long eventsReported;

    /** @param addresses the status addresses; empty while unknown, or always when status is not configured */
    StatusReporter(KafkaConnection kafka, String clusterId, Supplier<Optional<List<LbAddress>>> addresses, KubeStatus kube) {
        this.kafka = kafka;
        this.clusterId = clusterId;
        this.addresses = addresses;
        this.kube = kube;
        this.thread = new Thread(this::run, "signalbox-watcher-status");
        thread.setDaemon(true);
        thread.start();
    }

    /** This watcher became leader: start writing from the latest snapshot on. Any thread. */
    void lead() {
        synchronized (lock) {
            leading = true;
            term++;
            lock.notifyAll();
        }
    }

    /** Leadership lost: no further writes. Any thread. */
    void stepDown() {
        synchronized (lock) {
            leading = false;
            term++;
            lock.notifyAll();
        }
        SnapshotLog l = log;
        if (l != null) {
            l.wakeup();
        }
    }

    /** An Ingress or the address source changed: re-check the statuses. Any thread. */
    void changed() {
        dirty.set(true);
    }

    long statusWrites() {
        return statusWrites;
    }

    long eventsReported() {
        return eventsReported;
    }

    private boolean stillLeads(long myTerm) {
        synchronized (lock) {
            return leading && term == myTerm && !closed;
        }
    }

    /** Waits until this watcher leads; returns the term, or -1 once closed. */
    private long awaitTerm() throws InterruptedException {
        synchronized (lock) {
            while (!closed && !leading) {
                lock.wait();
            }
            return closed ? -1 : term;
        }
    }

    private void run() {
        try {
            while (true) {
                long myTerm = awaitTerm();
                if (myTerm < 0) {
                    return;
                }
                try {
                    follow(myTerm);
                } catch (WakeupException e) {
                    // stepDown or close: the loop condition decides.
                } catch (RuntimeException e) {
                    LOG.warn("status reporting for cluster {} failed; starting over from the latest snapshot: {}", clusterId, e.toString());
                    synchronized (lock) {
                        if (!closed) {
                            lock.wait(1000);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One leadership term: the latest snapshot, then every new one, until the term ends. */
    private void follow(long myTerm) {
        try (SnapshotLog l = SnapshotLog.connect(kafka, "signalbox-watcher-status-" + clusterId)) {
            log = l;
            if (!stillLeads(myTerm)) {
                return;
            }
            Term t = new Term(myTerm);
            l.latest(Duration.ofSeconds(30)).ifPresent(t::snapshot);
            t.reconcileStatus();
            while (stillLeads(myTerm)) {
                List<RoutingSnapshot> snapshots = l.poll(POLL);
                snapshots.forEach(t::snapshot);
                if (dirty.getAndSet(false) || !snapshots.isEmpty()) {
                    t.reconcileStatus();
                }
            }
        } finally {
            log = null;
        }
    }

    /** What one leadership term remembers: the last snapshot's lists and what it wrote. */
    private final class Term {
        private final long id;
        /** Null until this term read a snapshot: no snapshot says nothing about what is ours, so nothing is cleared. */
        private List<String> listed;
        private Set<Diagnostic> previousDiagnostics;
        private final Set<IngressRef> written = new HashSet<>();

        Term(long id) {
            this.id = id;
        }

        void snapshot(RoutingSnapshot s) {
            listed = s.table().ingresses();
            List<DiagnosticReports.Report> reports = DiagnosticReports.reports(clusterId, previousDiagnostics, s.table().diagnostics());
            previousDiagnostics = DiagnosticReports.ofCluster(clusterId, s.table().diagnostics());
            for (DiagnosticReports.Report r : reports) {
                if (!stillLeads(id)) {
                    return;
                }
                try {
                    if (kube.report(r)) {
                        eventsReported++;
                    } else {
                        LOG.info("no Kubernetes object to record {} {} on; it stays in the snapshot: {}", r.diagnostic().kind(),
                                r.diagnostic().name(), r.diagnostic().message());
                    }
                } catch (RuntimeException e) {
                    // An Event is best effort: the diagnostic stays in the snapshot and the proxies' logs.
                    LOG.warn("could not record an Event for {} {}/{}: {}", r.diagnostic().kind(), r.diagnostic().namespace(),
                            r.diagnostic().name(), e.toString());
                }
            }
        }

        void reconcileStatus() {
            Optional<List<LbAddress>> addrs = addresses.get();
            if (addrs.isEmpty() || listed == null) {
                return;
            }
            for (StatusPlan.Write w : StatusPlan.writes(clusterId, listed, addrs.get(), kube.currentStatuses(), written)) {
                if (!stillLeads(id)) {
                    return;
                }
                try {
                    if (kube.writeStatus(w.ingress(), w.addresses())) {
                        statusWrites++;
                        LOG.info("status of Ingress {}/{} set to {}", w.ingress().namespace(), w.ingress().name(), w.addresses());
                    }
                    if (w.addresses().isEmpty()) {
                        written.remove(w.ingress());
                    } else {
                        written.add(w.ingress());
                    }
                } catch (RuntimeException e) {
                    // Retried on the next snapshot or change (a 409 that survived the retry is itself a change).
                    LOG.warn("could not write the status of Ingress {}/{}: {}", w.ingress().namespace(), w.ingress().name(), e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            leading = false;
            lock.notifyAll();
        }
        SnapshotLog l = log;
        if (l != null) {
            l.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
