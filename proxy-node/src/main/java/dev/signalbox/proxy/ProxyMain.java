package dev.signalbox.proxy;

import dev.signalbox.schemas.crypto.KeyRing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * Starts one proxy node from command-line options and stops it gracefully on SIGTERM, draining for at most
 * {@code --drain-timeout-ms} (see {@link ProxyNode#drain}):
 * {@code --kafka HOST:PORT --http-port N --admin-port N --node-id X --bind ADDR --drain-timeout-ms N}, and for
 * HTTPS {@code --https-port N [--public-https-port N] [--default-cert FILE --default-key FILE]}; the keys that
 * open the snapshots' sealed private keys come from {@code --encryption-keys DIR} (one base64 file per key id)
 * or the SIGNALBOX_ENCRYPTION_KEYS environment variable.
 */
public final class ProxyMain {
    private static final Map<String, String> DEFAULTS = Map.of("--kafka", "127.0.0.1:9092", "--http-port", "8080",
            "--admin-port", "8081", "--node-id", "proxy-1", "--bind", "0.0.0.0", "--drain-timeout-ms", "10000");
    /** Options without a default: HTTPS is served only when --https-port is given. */
    private static final java.util.Set<String> HTTPS_OPTIONS = java.util.Set.of("--https-port", "--public-https-port",
            "--default-cert", "--default-key");
    private static final java.util.Set<String> KEY_OPTIONS = java.util.Set.of("--encryption-keys");
    private static final String USAGE = "usage: ProxyMain --kafka HOST:PORT --http-port N --admin-port N --node-id X "
            + "--bind ADDR [--drain-timeout-ms 10000] [--https-port N [--public-https-port N] [--default-cert FILE --default-key FILE]]"
            + " [--encryption-keys DIR]";

    private ProxyMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ProxyConfig config;
        Duration drainTimeout;
        try {
            config = parse(args);
            drainTimeout = drainTimeout(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        ProxyNode node = ProxyNode.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.drain(drainTimeout);
            } finally {
                node.close();
                stopped.countDown();
            }
        }, "signalbox-proxy-shutdown"));
        stopped.await();
    }

    static ProxyConfig parse(String[] args) {
        Map<String, String> opts = new TreeMap<>(DEFAULTS);
        for (int i = 0; i < args.length; i += 2) {
            if (!DEFAULTS.containsKey(args[i]) && !HTTPS_OPTIONS.contains(args[i]) && !KEY_OPTIONS.contains(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            opts.put(args[i], args[i + 1]);
        }
        ProxyConfig config = new ProxyConfig(opts.get("--kafka"), opts.get("--node-id"), opts.get("--bind"),
                port(opts, "--http-port"), port(opts, "--admin-port"), Duration.ofSeconds(2), Duration.ofSeconds(30));
        try {
            // Proxies only open: every key id a record may name must be here, so no active key is chosen.
            config = config.withKeys(KeyRing.configured(
                    opts.containsKey("--encryption-keys") ? Path.of(opts.get("--encryption-keys")) : null,
                    System.getenv(KeyRing.ENV), null));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the key-encryption keys: " + e.getMessage(), e);
        }
        if (!opts.containsKey("--https-port")) {
            for (String o : HTTPS_OPTIONS) {
                if (opts.containsKey(o)) {
                    throw new IllegalArgumentException(o + " needs --https-port");
                }
            }
            return config;
        }
        if (opts.containsKey("--default-cert") != opts.containsKey("--default-key")) {
            throw new IllegalArgumentException("--default-cert and --default-key go together");
        }
        return config.withHttps(port(opts, "--https-port"),
                opts.containsKey("--public-https-port") ? port(opts, "--public-https-port") : 0,
                opts.containsKey("--default-cert") ? Path.of(opts.get("--default-cert")) : null,
                opts.containsKey("--default-key") ? Path.of(opts.get("--default-key")) : null);
    }

    /** {@code --drain-timeout-ms}, parsed apart: the node's configuration does not need it. */
    static Duration drainTimeout(String[] args) {
        String ms = DEFAULTS.get("--drain-timeout-ms");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--drain-timeout-ms")) {
                ms = args[i + 1];
            }
        }
        try {
            long v = Long.parseLong(ms);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--drain-timeout-ms must be a number of milliseconds, not " + ms);
        }
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
