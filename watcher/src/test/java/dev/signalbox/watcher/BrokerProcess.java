package dev.signalbox.watcher;

import dev.signalbox.kafka.EmbeddedKafka;
import dev.signalbox.kafka.TopicAdmin;
import dev.signalbox.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A single-node Kafka broker with the pipeline's topics in a JVM of its own, so that a test can freeze it
 * with SIGSTOP (a broker that stalls: GC pause, frozen VM, full disk) and let it run on with SIGCONT. The
 * child runs {@link #main} on the test's class path; its output goes to {@code target/broker-<port>.log}.
 */
final class BrokerProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private BrokerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static BrokerProcess start(int port) throws IOException {
        Path data = Files.createTempDirectory("signalbox-broker");
        Path log = Files.createDirectories(Path.of("target")).resolve("broker-" + port + ".log");
        Files.deleteIfExists(log);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), BrokerProcess.class.getName(), data.toString(), String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        BrokerProcess b = new BrokerProcess(p, port);
        try {
            Await.until("the broker process to be ready", Duration.ofSeconds(60),
                    () -> contains(log, "BROKER READY") || !p.isAlive());
            if (!p.isAlive()) {
                throw new IllegalStateException("the broker process exited: see " + log.toAbsolutePath());
            }
        } catch (RuntimeException | AssertionError e) {
            b.close();
            throw e;
        }
        return b;
    }

    private static boolean contains(Path log, String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** SIGSTOP: the broker keeps its sockets open but answers nothing, as a stalled broker does. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited " + rc);
        }
    }

    @Override
    public void close() {
        try {
            resume();
        } catch (IOException | InterruptedException | RuntimeException e) {
            // Already gone.
        }
        try {
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The child: {@code <data dir> <port>}. Runs until killed. */
    public static void main(String[] args) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]));
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), 3, (short) 1);
        System.out.println("BROKER READY " + kafka.bootstrapServers() + " " + List.of(args));
        System.out.flush();
        Thread.currentThread().join();
    }
}
