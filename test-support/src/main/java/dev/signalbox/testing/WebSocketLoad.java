package dev.signalbox.testing;

import dev.signalbox.rawhttp.RawHttp;
import dev.signalbox.rawhttp.RawWebSocket;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A WebSocket load generator for {@code launcher/bench/websocket-bench.sh}: N connections to an echo server
 * (directly or through a proxy), each keeping W text messages in flight (it sends one more for each echo it
 * reads, the sends of one read in one write), for a given time; prints the echoes received per second. One
 * thread per connection on blocking sockets, so the generator's own cost per message is a few syscalls shared
 * by a batch. Usage: {@code java -cp ... dev.signalbox.testing.WebSocketLoad PORT CONNECTIONS WINDOW BYTES SECONDS}.
 */
public final class WebSocketLoad {
    private static final byte[] MASK = {0x12, 0x34, 0x56, 0x78};

    private WebSocketLoad() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int window = Integer.parseInt(args[2]);
        byte[] payload = new byte[Integer.parseInt(args[3])];
        Arrays.fill(payload, (byte) 'x');
        long seconds = Long.parseLong(args[4]);
        LongAdder echoes = new LongAdder();
        LongAdder failures = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setTcpNoDelay(true);
            sockets.add(s);
            Thread t = new Thread(() -> {
                try {
                    run(s, window, payload, echoes, stop);
                } catch (IOException e) {
                    if (!stop.get()) {
                        failures.increment();
                        System.err.println("connection failed: " + e);
                    }
                }
            }, "ws-load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long start = System.nanoTime();
        long before = echoes.sum();
        Thread.sleep(seconds * 1000);
        long count = echoes.sum() - before;
        double elapsed = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        for (Socket s : sockets) {
            s.close();
        }
        System.out.printf("messages %d in %.2f s: %.0f msg/s, %d connections failed%n", count, elapsed, count / elapsed,
                failures.sum());
    }

    private static void run(Socket s, int window, byte[] payload, LongAdder echoes, AtomicBoolean stop)
            throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 65536));
        OutputStream out = new BufferedOutputStream(s.getOutputStream(), 65536);
        out.write(RawWebSocket.handshake("127.0.0.1:" + s.getPort(), "/ws"));
        out.flush();
        RawHttp.Message answer = RawHttp.readResponse(in, false);
        if (answer == null || answer.status() != 101) {
            throw new IOException("handshake answered " + (answer == null ? "nothing" : answer.startLine()));
        }
        RawWebSocket.Frame message = new RawWebSocket.Frame(true, RawWebSocket.TEXT, payload);
        for (int i = 0; i < window; i++) {
            RawWebSocket.write(out, message, MASK);
        }
        out.flush();
        while (!stop.get()) {
            int read = 0;
            do {
                if (RawWebSocket.read(in) == null) {
                    throw new IOException("closed by the server");
                }
                read++;
            } while (in.available() > 0);
            echoes.add(read);
            for (int i = 0; i < read; i++) {
                RawWebSocket.write(out, message, MASK);
            }
            out.flush();
        }
    }
}
