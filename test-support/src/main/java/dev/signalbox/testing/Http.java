package dev.signalbox.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP/1.1 client for tests that must choose the Host header (virtual-host routing). */
public final class Http {
    static {
        // The JDK client refuses to set Host unless told to; tests address virtual hosts on 127.0.0.1.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    /** GET http://127.0.0.1:port/path with the given Host (null for the default). */
    public static HttpResponse<String> get(int port, String host, String path) {
        return get(port, host, path, new String[0]);
    }

    /** GET http://127.0.0.1:port/path with the given Host (null for the default) and header name, value pairs. */
    public static HttpResponse<String> get(int port, String host, String path, String... headers) {
        return send(port, "GET", host, path, headers);
    }

    /** {@code method} (without a body) to http://127.0.0.1:port/path, as {@link #get(int, String, String, String...)}. */
    public static HttpResponse<String> send(int port, String method, String host, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (host != null) {
            b.header("Host", host);
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POST http://127.0.0.1:port/path with the given Host and {@code body} (sent with its Content-Length). */
    public static HttpResponse<String> post(int port, String host, String path, byte[] body) {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Host", host)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            return CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #get} but a connection failure is a null, for polling until a server answers. */
    public static HttpResponse<String> tryGet(int port, String host, String path) {
        try {
            return get(port, host, path);
        } catch (UncheckedIOException e) {
            return null;
        }
    }
}
