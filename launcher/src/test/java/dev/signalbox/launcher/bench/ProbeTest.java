package dev.signalbox.launcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.testing.EchoBackend;
import dev.signalbox.testing.Ports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProbeTest {
    @Test
    void readsStatusesOverOneKeptAliveConnection() {
        try (EchoBackend echo = EchoBackend.start("probe"); Probe probe = new Probe(echo.port())) {
            assertEquals(200, probe.status("a.example", "/one"));
            assertEquals(200, probe.status("a.example", "/two"));
            assertEquals(2, echo.requests());
        }
    }

    /** Chunked, Content-Length and close-delimited bodies, a server that closes between requests. */
    @Test
    void framesEveryKindOfBodyAndReconnectsWhenTheServerCloses() throws Exception {
        List<String> responses = List.of(
                "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nTrailer: t\r\n\r\n",
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3\r\n\r\nabc",
                "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
        AtomicInteger connections = new AtomicInteger();
        List<String> requestLines = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> serve(server, responses, connections, requestLines));
            t.setDaemon(true);
            t.start();
            try (Probe probe = new Probe(server.getLocalPort())) {
                assertEquals(404, probe.status("h", "/a"));
                assertEquals(503, probe.status("h", "/b"));
                assertEquals(200, probe.status("h", "/c"));
                // The server closed after the third answer; the probe connects again.
                assertEquals(404, probe.status("h", "/d"));
            }
        }
        assertEquals(List.of("GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /c HTTP/1.1", "GET /d HTTP/1.1"), requestLines);
        assertEquals(2, connections.get());
    }

    @Test
    void aServerThatIsNotThereIsMinusOne() {
        try (Probe probe = new Probe(Ports.free())) {
            assertEquals(-1, probe.status("h", "/"));
        }
    }

    private static void serve(ServerSocket server, List<String> responses, AtomicInteger connections, List<String> lines) {
        int next = 0;
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                connections.incrementAndGet();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                while (true) {
                    String requestLine = in.readLine();
                    if (requestLine == null) {
                        break;
                    }
                    lines.add(requestLine);
                    while (!in.readLine().isEmpty()) {
                        // headers
                    }
                    String r = responses.get(next++ % responses.size());
                    out.write(r.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (r.contains("Connection: close")) {
                        break;
                    }
                }
            } catch (IOException e) {
                return;
            }
        }
    }
}
