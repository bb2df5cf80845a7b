package dev.signalbox.e2e.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.compiler.Compiler;
import dev.signalbox.compiler.CompilerConfig;
import dev.signalbox.e2e.MockApps;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.kafka.TopicDump;
import dev.signalbox.schemas.Topics;
import dev.signalbox.schemas.codec.EventLogCodec;
import dev.signalbox.schemas.event.ClusterEvent;
import dev.signalbox.schemas.event.EventLogRecord;
import dev.signalbox.schemas.event.TransactionMark;
import dev.signalbox.schemas.snapshot.RoutingSnapshot;
import dev.signalbox.snapshotlog.SnapshotLog;
import dev.signalbox.testing.Await;
import dev.signalbox.watcher.ExpiringWatches;
import dev.signalbox.watcher.Watcher;
import dev.signalbox.watcher.WatcherConfig;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 21's relist with the Kubernetes source: the watch of Ingresses expires with 410 Gone, the informer
 * lists again, and what changed while the watch was gone (Ingresses added, modified and deleted) is one
 * source change: one transaction on the events topic, then a table that is correct.
 *
 * <p>fabric8's mock API server (CRUD mode) never expires a watch, so this test runs the watcher's
 * {@link ExpiringWatches}: the informer's Ingress watch delivers nothing while the test changes Ingresses
 * through the API (they reach the store, not the informer), then gets an ERROR event with a 410 {@code Status},
 * as kube-apiserver sends when the watch's resourceVersion is too old. Every request, the relist and the next
 * watch included, is the CRUD mock's.
 */
class KubernetesRelistIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "shop";
    private static final int APPS = 8;

    @Test
    void changesMissedWhileTheWatchWasGoneArePublishedAsOneTransactionAfterTheRelist() throws Exception {
        try (ExpiringWatches gone = ExpiringWatches.ingressesOf(null);
             KubernetesClient client = gone.client();
             EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            String bootstrap = kafka.bootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, 3, (short) 1);
            client.resource(new IngressClassBuilder().withNewMetadata().withName("signalbox").endMetadata()
                    .withNewSpec().withController("signalbox.dev/ingress-controller").endSpec().build()).createOr(NonDeletingOperation::update);
            for (int i = 0; i < APPS; i++) {
                MockApps.service(client, NS, "app" + i, 8080);
                client.resource(MockApps.ingress(NS, "app" + i, "app" + i + ".test", "app0")).createOr(NonDeletingOperation::update);
            }
            try (Compiler compiler = Compiler.start(CompilerConfig.defaults(bootstrap));
                 Watcher watcher = Watcher.startKubernetes(WatcherConfig.defaults(bootstrap, "e2e")
                         .withLease("default", "signalbox-relist").withIdentity("w1")
                         .withTimings(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(250)), client)) {
                Await.until("the Ingress watch open", WAIT, () -> gone.openWatches() == 1);
                Await.until("the initial list in a version", WAIT, () -> hosts(latest(bootstrap)).equals(hosts("app", 0, APPS)));
                int before = committed(bootstrap).size();

                // While the Ingress watch delivers nothing: 2 Ingresses added, 2 modified, 2 deleted; then it expires.
                gone.expireAfter(() -> {
                    client.resource(MockApps.ingress(NS, "extra0", "extra0.test", "app0")).createOr(NonDeletingOperation::update);
                    client.resource(MockApps.ingress(NS, "extra1", "extra1.test", "app0")).createOr(NonDeletingOperation::update);
                    for (int i : new int[] {2, 3}) {
                        client.network().v1().ingresses().inNamespace(NS).withName("app" + i).edit(ing -> new IngressBuilder(ing)
                                .editSpec().editFirstRule().withHost("renamed" + i + ".test").endRule().endSpec().build());
                    }
                    client.network().v1().ingresses().inNamespace(NS).withName("app4").delete();
                    client.network().v1().ingresses().inNamespace(NS).withName("app5").delete();
                });
                Set<String> expected = new TreeSet<>(Set.of("app0.test", "app1.test", "renamed2.test", "renamed3.test",
                        "app6.test", "app7.test", "extra0.test", "extra1.test"));
                Await.until("the relisted table in a version", WAIT, () -> hosts(latest(bootstrap)).equals(expected));

                List<EventLogRecord> after = committed(bootstrap).subList(before, committed(bootstrap).size());
                Map<TransactionMark.Id, List<String>> transactions = new LinkedHashMap<>();
                for (EventLogRecord r : after) {
                    String what = r instanceof ClusterEvent e ? e.key().shortName() + (e.state() == null ? " deleted" : "")
                            : r.getClass().getSimpleName();
                    transactions.computeIfAbsent(r.transaction().id(), k -> new ArrayList<>()).add(what);
                }
                System.out.printf("FIGURES relist after 410: %d transaction(s) after the initial list: %s; relists requested %d%n",
                        transactions.size(), transactions, gone.lists() - 1);
                assertEquals(1, transactions.size(), "the relist's changes are one transaction: " + transactions);
                List<String> relisted = transactions.values().iterator().next().stream().sorted().toList();
                assertEquals(6, relisted.size(), "2 added, 2 modified, 2 deleted: " + relisted);
                assertEquals(2, relisted.stream().filter(s -> s.endsWith(" deleted")).count(), "deleted: " + relisted);
                assertEquals(2, gone.lists(), "the informer listed Ingresses again after the 410, once");
            }
        }
    }

    private static Set<String> hosts(String prefix, int from, int to) {
        Set<String> out = new TreeSet<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i + ".test");
        }
        return out;
    }

    private static Set<String> hosts(RoutingSnapshot s) {
        return s == null ? Set.of() : s.table().virtualHosts().stream().map(v -> v.host())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static RoutingSnapshot latest(String bootstrap) {
        try (SnapshotLog log = SnapshotLog.connect(bootstrap, "k8s-relist-it")) {
            return log.latest(Duration.ofSeconds(10)).orElse(null);
        }
    }

    /** The committed events log in offset order per partition, sorted by transaction sequence. */
    private static List<EventLogRecord> committed(String bootstrap) {
        List<EventLogRecord> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicDump.readCommitted(bootstrap, Topics.EVENTS)) {
            out.add(EventLogCodec.decode("e2e", r.value(), () -> { }).orElseThrow());
        }
        out.sort(java.util.Comparator.comparingLong((EventLogRecord r) -> r.transaction().sequence()));
        return out;
    }
}
