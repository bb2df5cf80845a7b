package dev.signalbox.e2e.tables;

import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.rawhttp.RawHttpConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A client that asks a proxy for one host every millisecond on a kept-alive connection
 * ({@link RawHttpConnection}) and writes down every distinct answer in order, so a test can say whether anything but
 * the old and the new answer was ever seen. An answer is the status and, for a 200, the echo backend's name.
 * Runs on a thread of its own until {@link #stop()}.
 */
final class HostPoller implements AutoCloseable {
    private final int port;
    private final String host;
    private final Thread thread;
    private final List<String> answers = new ArrayList<>();
    private volatile boolean running = true;
    private long requests;

    HostPoller(int port, String host) {
        this.port = port;
        this.host = host;
        this.thread = new Thread(this::run, "poll-" + host);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try (RawHttpConnection c = RawHttpConnection.open(port, Duration.ofSeconds(2), Duration.ofSeconds(5))) {
                while (running && !c.isClosed()) {
                    note(answer(c.get(host, "/")));
                    LockSupport.parkNanos(1_000_000);
                }
            } catch (java.io.EOFException e) {
                // A kept-alive connection the proxy closed between two requests: not an answer; connect again.
            } catch (IOException e) {
                note("io: " + e.getClass().getSimpleName());
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private static String answer(RawHttp.Message m) {
        String status = m.startLine().split(" ")[1];
        if (!status.equals("200")) {
            return status;
        }
        for (String line : m.bodyText().split("\n")) {
            if (line.startsWith("backend: ")) {
                return "200 " + line.substring("backend: ".length()).trim();
            }
        }
        return "200";
    }

    private synchronized void note(String answer) {
        requests++;
        if (answers.isEmpty() || !answers.get(answers.size() - 1).equals(answer)) {
            answers.add(answer);
        }
    }

    /** The distinct answers in the order they were seen (repeats of the same answer in a row collapsed). */
    synchronized List<String> answers() {
        return List.copyOf(answers);
    }

    synchronized long requests() {
        return requests;
    }

    synchronized String last() {
        return answers.isEmpty() ? null : answers.get(answers.size() - 1);
    }

    void stop() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
