package dev.signalbox.proxy;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * Starts one proxy node from command-line options and stops it on SIGTERM:
 * {@code --kafka HOST:PORT --http-port N --admin-port N --node-id X --bind ADDR}.
 */
public final class ProxyMain {
    private static final Map<String, String> DEFAULTS = Map.of("--kafka", "127.0.0.1:9092", "--http-port", "8080",
            "--admin-port", "8081", "--node-id", "proxy-1", "--bind", "0.0.0.0");

    private ProxyMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ProxyConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: ProxyMain --kafka HOST:PORT --http-port N --admin-port N --node-id X --bind ADDR");
            System.exit(2);
            return;
        }
        ProxyNode node = ProxyNode.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "signalbox-proxy-shutdown"));
        stopped.await();
    }

    static ProxyConfig parse(String[] args) {
        Map<String, String> opts = new TreeMap<>(DEFAULTS);
        for (int i = 0; i < args.length; i += 2) {
            if (!DEFAULTS.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            opts.put(args[i], args[i + 1]);
        }
        return new ProxyConfig(opts.get("--kafka"), opts.get("--node-id"), opts.get("--bind"),
                port(opts, "--http-port"), port(opts, "--admin-port"), Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    private static int port(Map<String, String> opts, String name) {
        try {
            int p = Integer.parseInt(opts.get(name));
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, not " + opts.get(name));
        }
    }
}
