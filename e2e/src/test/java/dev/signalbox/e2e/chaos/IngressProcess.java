package dev.signalbox.e2e.chaos;

import dev.signalbox.testing.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/ingress COMMAND ...} in its own process, as a user runs it: the packaged launcher and its
 * class-data-sharing archive (the build's package phase made both), on this test's JDK, without building.
 * The script execs Java, so the process's pid is the JVM's and signals reach it directly. The watcher's and the
 * compiler's admin ports (9101, 9102 by default) are free ports unless the test names them: a test runs several
 * of a kind on one machine, and a second one on the default port would fail to start.
 */
public final class IngressProcess {
    private static final Path SCRIPT = Path.of("..", "bin", "ingress").toAbsolutePath().normalize();

    private IngressProcess() {
    }

    /** Starts {@code bin/ingress args...} with heap {@code maxHeap} (e.g. "256m"), its output written to {@code log}. */
    public static Process start(String maxHeap, Path log, String... args) throws IOException {
        return start(maxHeap, ProcessBuilder.Redirect.to(log.toFile()), args);
    }

    /** Like {@link #start}, appending to {@code log}: one log across a process's restarts. */
    public static Process startAppending(String maxHeap, Path log, String... args) throws IOException {
        return start(maxHeap, ProcessBuilder.Redirect.appendTo(log.toFile()), args);
    }

    /** Like {@link #start}, with further environment variables (e.g. {@code SIGNALBOX_KAFKA_*} client settings). */
    public static Process start(String maxHeap, Path log, Map<String, String> env, String... args) throws IOException {
        return start(maxHeap, ProcessBuilder.Redirect.to(log.toFile()), env, args);
    }

    private static Process start(String maxHeap, ProcessBuilder.Redirect log, String... args) throws IOException {
        return start(maxHeap, log, Map.of(), args);
    }

    private static Process start(String maxHeap, ProcessBuilder.Redirect log, Map<String, String> env, String... args)
            throws IOException {
        if (!Files.isExecutable(SCRIPT)) {
            throw new IllegalStateException("no launcher at " + SCRIPT + " (the tests run from the e2e module)");
        }
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        command.addAll(freeAdminPorts(List.of(args)));
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log);
        b.environment().put("JAVA_HOME", System.getProperty("java.home"));
        b.environment().put("SIGNALBOX_JAVA_OPTS", "-Xmx" + maxHeap);
        b.environment().put("SIGNALBOX_BUILD", "never");
        b.environment().putAll(env);
        return b.start();
    }

    /** The admin port options {@code args} leave to their defaults, each with a free port. */
    static List<String> freeAdminPorts(List<String> args) {
        List<String> options = switch (args.isEmpty() ? "" : args.get(0)) {
            case "watcher", "compiler" -> List.of("--admin-port");
            case "local" -> List.of("--watcher-admin-port", "--compiler-admin-port");
            default -> List.of();
        };
        List<String> out = new ArrayList<>();
        for (String option : options) {
            if (args.stream().noneMatch(a -> a.equals(option) || a.startsWith(option + "="))) {
                out.addAll(List.of(option, String.valueOf(Ports.free())));
            }
        }
        return out;
    }
}
