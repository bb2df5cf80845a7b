package dev.signalbox.testing;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A grpc-java server (Netty transport, its own shaded Netty) with one service, {@value #SERVICE}, whose messages are
 * UTF-8 strings (a {@link MethodDescriptor} marshaller, no protobuf): {@link #SAY} answers "name: request",
 * {@link #COUNT} streams "name: 1" .. "name: n" for request "n", {@link #FAIL} ends with NOT_FOUND and the request as
 * its message and nothing else (a trailers-only response), {@link #HANG} never answers and {@link #HANG_STREAM}
 * streams "name: 1" and then nothing more (both count the calls their client cancelled). Plain (h2c, prior knowledge) or over TLS (h2 by ALPN). Also the client channels the tests use.
 */
public final class GrpcBackend implements AutoCloseable {
    public static final String SERVICE = "signalbox.test.Echo";
    public static final MethodDescriptor<String, String> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> COUNT =
            method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    public static final MethodDescriptor<String, String> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> HANG = method("Hang", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> HANG_STREAM =
            method("HangStream", MethodDescriptor.MethodType.SERVER_STREAMING);

    private final String name;
    private final Server server;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    private GrpcBackend(String name, TestCerts.Cert cert) {
        this.name = name;
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service())
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes attributes) {
                        connections.incrementAndGet();
                        return attributes;
                    }
                });
        if (cert != null) {
            try {
                b.sslContext(GrpcSslContexts.forServer(stream(cert.certPem()), stream(cert.keyPem())).build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            this.server = b.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plain server: HTTP/2 with prior knowledge (what backend-protocol GRPC speaks to). */
    public static GrpcBackend start(String name) {
        return new GrpcBackend(name, null);
    }

    /** A server over TLS with {@code cert} (what backend-protocol GRPCS speaks to). */
    public static GrpcBackend startTls(String name, TestCerts.Cert cert) {
        return new GrpcBackend(name, cert);
    }

    public int port() {
        return server.getPort();
    }

    /** Calls that reached this server. */
    public long calls() {
        return calls.get();
    }

    /** Connections (HTTP/2 transports) this server accepted. */
    public long connections() {
        return connections.get();
    }

    /** {@link #HANG} and {@link #HANG_STREAM} calls whose client (the proxy) cancelled them. */
    public long cancelled() {
        return cancelled.get();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A client channel to 127.0.0.1:{@code port} over h2c with prior knowledge, {@code authority} as :authority. */
    public static ManagedChannel plaintextChannel(int port, String authority) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).overrideAuthority(authority).usePlaintext().build();
    }

    /** A client channel over TLS (h2 by ALPN) that trusts any certificate; {@code authority} is SNI and :authority. */
    public static ManagedChannel tlsChannel(int port, String authority) {
        try {
            return NettyChannelBuilder.forAddress("127.0.0.1", port).overrideAuthority(authority)
                    .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Call options with a deadline {@code millis} from now. */
    public static CallOptions deadline(long millis) {
        return CallOptions.DEFAULT.withDeadlineAfter(millis, TimeUnit.MILLISECONDS);
    }

    private ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(SAY, ServerCalls.asyncUnaryCall((req, out) -> {
                    calls.incrementAndGet();
                    out.onNext(name + ": " + req);
                    out.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    calls.incrementAndGet();
                    int n = Integer.parseInt(req);
                    for (int i = 1; i <= n; i++) {
                        out.onNext(name + ": " + i);
                    }
                    out.onCompleted();
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, out) -> {
                    calls.incrementAndGet();
                    out.onError(Status.NOT_FOUND.withDescription(req).asRuntimeException());
                }))
                .addMethod(HANG, ServerCalls.asyncUnaryCall((req, out) -> {
                    calls.incrementAndGet();
                    ((io.grpc.stub.ServerCallStreamObserver<String>) out).setOnCancelHandler(cancelled::incrementAndGet);
                }))
                .addMethod(HANG_STREAM, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    calls.incrementAndGet();
                    ((io.grpc.stub.ServerCallStreamObserver<String>) out).setOnCancelHandler(cancelled::incrementAndGet);
                    out.onNext(name + ": 1");
                }))
                .build();
    }

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(Utf8.INSTANCE)
                .setResponseMarshaller(Utf8.INSTANCE)
                .build();
    }

    private static InputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }

    private enum Utf8 implements MethodDescriptor.Marshaller<String> {
        INSTANCE;

        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
