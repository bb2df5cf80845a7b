package dev.signalbox.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP backend for tests: answers every request with 200 and a body that names the backend and echoes
 * the method, path, headers and request body size, one "key: value" a line (over mTLS also the client
 * certificate's subject). Listens on 127.0.0.1. Three behaviours for streaming tests: {@value #SSE_PATH} serves
 * server-sent events, {@value #STALL_HEADER} makes it wait before reading the request body, and
 * {@value #ANSWER_FIRST_HEADER} makes it answer before reading it.
 */
public final class EchoBackend implements AutoCloseable {
    static {
        // The JDK server writes a response's headers and body in two writes on a socket without
        // TCP_NODELAY: once the connection leaves quick-ACK mode, Nagle holds the body until the peer's
        // delayed ACK, about 40 ms later. Read once, when the server classes load; a caller's own setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** The path that serves server-sent events (see {@link #events}). */
    public static final String SSE_PATH = "/sse";
    /** A request carrying this header (milliseconds) is left unread that long first: a backend that reads slowly. */
    public static final String STALL_HEADER = "X-Echo-Stall-Ms";
    /**
     * A request carrying this header is answered at once, before its body is read (200, "answered before the body"),
     * and the body is read afterwards: an application that refuses an upload before taking it.
     */
    public static final String ANSWER_FIRST_HEADER = "X-Echo-Answer-First";

    private final String name;
    private final HttpServer server;
    private final AtomicLong requests = new AtomicLong();

    private EchoBackend(String name, HttpServer server) {
        this.name = name;
        this.server = server;
    }

    public static EchoBackend start(String name) {
        return start(name, 0);
    }

    /** An echo backend on 127.0.0.1:{@code port} (0 for any free port). */
    public static EchoBackend start(String name, int port) {
        try {
            return serve(name, HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128));
        } catch (IOException e) {
            throw new UncheckedIOException("echo backend " + name + " cannot listen on 127.0.0.1:" + port + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * An echo backend over HTTPS on any free port of 127.0.0.1, presenting {@code serverCert} (TLS 1.2 and 1.3)
     * and requiring a client certificate issued by {@code clientCa} (mTLS); the body adds a line
     * "client-subject: " with the client certificate's subject.
     */
    public static EchoBackend startMutualTls(String name, TestCerts.Cert serverCert, X509Certificate clientCa) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", serverCert.keys().getPrivate(), new char[0], new Certificate[] {serverCert.cert()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("client-ca", clientCa);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
            s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = ctx.getDefaultSSLParameters();
                    p.setNeedClientAuth(true);
                    params.setSSLParameters(p);
                }
            });
            return serve(name, s);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("echo backend " + name + " cannot serve HTTPS: " + e.getMessage(), e);
        }
    }

    private static EchoBackend serve(String name, HttpServer s) {
        EchoBackend b = new EchoBackend(name, s);
        s.createContext("/", b::handle);
        s.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "echo-" + name);
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return b;
    }

    private void answerFirst(HttpExchange ex) throws IOException {
        byte[] out = ("backend: " + name + "\nanswered before the body\n").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, out.length);
        OutputStream body = ex.getResponseBody();
        body.write(out);
        body.flush();
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        body.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        if (ex.getRequestURI().getPath().equals(SSE_PATH)) {
            events(ex);
            return;
        }
        if (ex.getRequestHeaders().containsKey(ANSWER_FIRST_HEADER)) {
            answerFirst(ex);
            return;
        }
        String stall = ex.getRequestHeaders().getFirst(STALL_HEADER);
        if (stall != null) {
            sleep(Long.parseLong(stall));
        }
        long received = 0;
        try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                received += n;
            }
        }
        Map<String, String> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        StringBuilder body = new StringBuilder();
        body.append("backend: ").append(name).append('\n');
        body.append("method: ").append(ex.getRequestMethod()).append('\n');
        body.append("uri: ").append(ex.getRequestURI()).append('\n');
        body.append("body-bytes: ").append(received).append('\n');
        if (ex instanceof HttpsExchange https) {
            Certificate[] peer = https.getSSLSession().getPeerCertificates();
            body.append("client-subject: ").append(((X509Certificate) peer[0]).getSubjectX500Principal().getName())
                    .append('\n');
        }
        headers.forEach((k, v) -> body.append("header-").append(k).append(": ").append(v).append('\n'));
        byte[] out = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        ex.getResponseHeaders().add("X-Backend", name);
        ex.sendResponseHeaders(200, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    /**
     * {@value #SSE_PATH}{@code ?events=N&interval=MS}: a {@code text/event-stream} of N events, one every MS
     * milliseconds, each flushed as it is written; an event's data is the {@link System#nanoTime()} at which it
     * was written, so a client in the same JVM can tell how late it saw it.
     */
    private void events(HttpExchange ex) throws IOException {
        ex.getRequestBody().readAllBytes();
        int events = 10;
        long interval = 100;
        String query = ex.getRequestURI().getQuery();
        for (String p : query == null ? new String[0] : query.split("&")) {
            if (p.startsWith("events=")) {
                events = Integer.parseInt(p.substring(7));
            } else if (p.startsWith("interval=")) {
                interval = Long.parseLong(p.substring(9));
            }
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.getResponseHeaders().add("Cache-Control", "no-cache");
        ex.getResponseHeaders().add("X-Backend", name);
        ex.sendResponseHeaders(200, 0);
        try (OutputStream os = ex.getResponseBody()) {
            for (int i = 0; i < events; i++) {
                sleep(interval);
                os.write(("id: " + i + "\ndata: " + System.nanoTime() + "\n\n").getBytes(StandardCharsets.UTF_8));
                os.flush();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
