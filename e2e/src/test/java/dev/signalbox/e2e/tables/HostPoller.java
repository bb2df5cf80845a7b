package dev.signalbox.e2e.tables;

import dev.signalbox.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A client that asks a proxy for one host every millisecond on a kept-alive connection (read with
 * {@link RawHttp}) and writes down every distinct answer in order, so a test can say whether anything but
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
        byte[] request = ("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        while (running) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                while (running) {
                    out.write(request);
                    out.flush();
                    RawHttp.Message m = RawHttp.readResponse(in, false);
                    if (m == null) {
                        break;
                    }
                    note(answer(m));
                    if ("close".equalsIgnoreCase(m.get("connection"))) {
                        break;
                    }
                    LockSupport.parkNanos(1_000_000);
                }
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
