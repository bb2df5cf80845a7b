package dev.signalbox.deploy;

import dev.signalbox.compiler.CompilerMain;
import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.KafkaCluster;
import dev.signalbox.proxy.ProxyMain;
import dev.signalbox.watcher.WatcherMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The entry point behind {@code bin/ingress}: {@code local} runs the whole pipeline on this machine;
 * {@code watcher}, {@code compiler} and {@code proxy} run one component against an external Kafka;
 * {@code kafka} runs one Kafka node (the chaos tests start a three-node cluster this way).
 */
public final class Launcher {
    private static final String USAGE = """
            usage: bin/ingress COMMAND [OPTIONS]
              local     [--manifests DIR] [--http-port 8080] [--https-port 8443] [--admin-port 9090]
                        [--proxies N] [--data-dir DIR] [--kafka-port P] [--bind 127.0.0.1] [--cluster-id local]
                        the whole pipeline on this machine with an embedded Kafka broker
              watcher   --kafka HOST:PORT [--cluster-id ID] [--manifests DIR | --kubeconfig FILE] [--lease-namespace NS]
                        [--namespaces a,b] [--status-address A[,B] | --publish-service NS/NAME] [--identity ID]
                        [--lease-duration-ms 15000] [--encryption-keys DIR] [--encryption-key-id ID]
              compiler  --kafka HOST:PORT
              proxy     --kafka HOST:PORT [--http-port 8080] [--admin-port 9090] [--node-id ID] [--bind ADDR]
                        [--drain-timeout-ms 10000]
                        [--https-port 8443 [--public-https-port 443] [--default-cert FILE --default-key FILE]]
                        [--encryption-keys DIR]
                        (watcher and proxy: the key-encryption keys that seal TLS private keys in Kafka, one
                        base64 file per key id; or SIGNALBOX_ENCRYPTION_KEYS=id=base64[,id=base64])
              bench     [--changes 100] [--proxies 2] [--warmup 200] [--paths 10]
                        local mode's Ingress-change-to-served latency, p50/p99
              kafka     --data-dir DIR [--port 9092 | --nodes B1:C1,B2:C2,B3:C3 --node-id N]
                        one Kafka node (KRaft, broker and controller) in this process: alone, or node N of a
                        cluster whose node i has client port Bi and controller port Ci (the same --nodes on every node)
            """;

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.print(USAGE);
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "local" -> local(args);
                case "watcher" -> WatcherMain.main(rest);
                case "compiler" -> CompilerMain.main(rest);
                case "proxy" -> ProxyMain.main(rest);
                case "bench" -> PropagationBenchmark.run(args);
                case "kafka" -> kafka(args);
                case "cds-training" -> {
                    Options o = Options.parse("cds-training", args, 1, Set.of("proxy-archive"));
                    CdsTraining.run(Path.of(o.require("cds-training", "proxy-archive")));
                    System.exit(0);
                }
                case "help", "--help", "-h" -> System.out.print(USAGE);
                default -> throw new Options.UsageException("unknown command '" + args[0] + "'");
            }
        } catch (Options.UsageException e) {
            System.err.println("ingress: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
    }

    private static void kafka(String[] args) throws InterruptedException {
        Options o = Options.parse("kafka", args, 1, Set.of("data-dir", "port", "nodes", "node-id"));
        Path dataDir = Path.of(o.require("kafka", "data-dir"));
        EmbeddedKafka node;
        if (o.values().containsKey("nodes")) {
            KafkaCluster cluster;
            int id = o.integer("node-id", 0);
            try {
                cluster = KafkaCluster.parse(o.get("nodes", ""));
                cluster.node(id);
            } catch (IllegalArgumentException e) {
                throw new Options.UsageException("kafka: --nodes and --node-id: " + e.getMessage());
            }
            node = EmbeddedKafka.startNode(cluster, id, dataDir);
        } else {
            node = EmbeddedKafka.start(dataDir, o.integer("port", 9092));
        }
        CountDownLatch stop = new CountDownLatch(1);
        // SIGTERM: a controlled shutdown (leadership moves to the other nodes first); SIGKILL is a crash.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stop.countDown();
        }, "kafka-shutdown"));
        System.out.println("signalbox: kafka node started at " + node.bootstrapServers() + ", data in " + dataDir);
        stop.await();
    }

    private static void local(String[] args) throws InterruptedException {
        long t0 = System.nanoTime();
        Options o = Options.parse("local", args, 1, Set.of("manifests", "http-port", "https-port", "admin-port",
                "proxies", "data-dir", "kafka-port", "bind", "cluster-id"));
        Path home = Path.of(System.getProperty("signalbox.home", "."));
        boolean demo = !o.values().containsKey("manifests");
        Path manifests = demo ? home.resolve("deploy/examples") : Path.of(o.get("manifests", ""));
        if (!Files.isDirectory(manifests)) {
            throw new Options.UsageException("local: manifests directory " + manifests + " does not exist");
        }
        LocalConfig config = new LocalConfig(manifests.toAbsolutePath().normalize(), o.get("bind", "127.0.0.1"),
                new LocalConfig.Ports(o.integer("http-port", 8080), o.integer("https-port", 8443), o.integer("admin-port", 9090)),
                o.integer("proxies", 1), Path.of(o.get("data-dir", home.resolve(".signalbox/data").toString())),
                o.integer("kafka-port", 0), o.get("cluster-id", "local"), demo);

        CountDownLatch stop = new CountDownLatch(1);
        LocalMode mode;
        try {
            mode = LocalMode.start(config);
        } catch (RuntimeException e) {
            System.err.println("signalbox: could not start: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            System.exit(1);
            return;
        }
        Thread hook = new Thread(() -> {
            System.out.println("signalbox: stopping");
            mode.close();
            stop.countDown();
        }, "local-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!mode.ready() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        StringBuilder b = new StringBuilder();
        b.append(mode.ready() ? "\nsignalbox: ready in " : "\nsignalbox: NOT ready after ")
                .append((System.nanoTime() - t0) / 1_000_000).append(" ms\n");
        b.append("  manifests      ").append(config.manifestsDir()).append(demo ? "  (the example; see deploy/examples/README.md)\n" : "\n");
        b.append("  kafka          ").append(mode.bootstrapServers())
                .append("  (join with: bin/ingress proxy --kafka ").append(mode.bootstrapServers()).append(" --http-port P --admin-port Q")
                .append(" --encryption-keys ").append(config.dataDir().resolve("encryption-keys")).append(")\n");
        for (int i = 0; i < mode.proxies().size(); i++) {
            var p = mode.proxies().get(i);
            b.append("  proxy-").append(i).append("        http://").append(config.bindAddress()).append(':').append(p.httpPort())
                    .append("   admin http://").append(config.bindAddress()).append(':').append(p.adminPort())
                    .append("/routes  (version ").append(p.appliedVersion()).append(")\n");
        }
        for (int i = 0; i < mode.proxies().size(); i++) {
            b.append("  https-").append(i).append("        https://").append(config.bindAddress()).append(':')
                    .append(mode.proxies().get(i).httpsPort())
                    .append("  (certificates from the Ingresses' TLS Secrets, else a self-signed default)\n");
        }
        if (demo) {
            b.append("  try            curl -H 'Host: demo.localtest.me' http://127.0.0.1:")
                    .append(mode.proxies().get(0).httpPort()).append("/a\n");
        }
        b.append("  stop           Ctrl-C\n");
        System.out.println(b);
        stop.await();
    }
}
