package dev.signalbox.compiler;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code compiler --kafka HOST:PORT [--hold-off-ms N] [--max-delay-ms N]}: one route-compiler against an
 * external Kafka. Stops cleanly on SIGTERM; exits 3 when fenced by another compiler.
 */
public final class CompilerMain {
    private CompilerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                usage("unexpected argument " + args[i]);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        String kafka = opts.remove("kafka");
        if (kafka == null) {
            usage("--kafka is required");
        }
        CompilerConfig config = CompilerConfig.defaults(kafka);
        Duration holdOff = Duration.ofMillis(Long.parseLong(opts.getOrDefault("hold-off-ms", String.valueOf(config.holdOff().toMillis()))));
        Duration maxDelay = Duration.ofMillis(Long.parseLong(opts.getOrDefault("max-delay-ms", String.valueOf(config.maxDelay().toMillis()))));
        opts.remove("hold-off-ms");
        opts.remove("max-delay-ms");
        if (!opts.isEmpty()) {
            usage("unknown options " + opts.keySet());
        }
        Compiler compiler = Compiler.start(config.withBatching(holdOff, maxDelay));
        Runtime.getRuntime().addShutdownHook(new Thread(compiler::close, "compiler-shutdown"));
        compiler.awaitStop();
        if (compiler.fatalError() != null) {
            System.exit(3);
        }
    }

    private static void usage(String problem) {
        System.err.println("compiler: " + problem);
        System.err.println("usage: compiler --kafka HOST:PORT [--hold-off-ms 5] [--max-delay-ms 200]");
        System.exit(2);
    }
}
