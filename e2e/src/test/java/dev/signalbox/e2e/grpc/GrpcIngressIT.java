package dev.signalbox.e2e.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.launcher.local.LocalConfig;
import dev.signalbox.launcher.local.LocalMode;
import dev.signalbox.launcher.manifests.Manifests;
import dev.signalbox.launcher.manifests.Manifests.Endpoint;
import dev.signalbox.launcher.manifests.Manifests.Rule;
import dev.signalbox.launcher.manifests.Manifests.ServicePort;
import dev.signalbox.proxy.ProxyNode;
import dev.signalbox.testing.Await;
import dev.signalbox.testing.GrpcBackend;
import dev.signalbox.testing.TestCerts;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC end to end: Ingresses annotated {@code nginx.ingress.kubernetes.io/backend-protocol: GRPC} and {@code GRPCS}
 * (with ingress-nginx's proxy-ssl annotations verifying the backend against a CA from a Secret), and
 * {@code signalbox.dev/backend-protocol: H2C}, go through the watcher, the compiler and a proxy, and a grpc-java
 * client's calls over h2c with prior knowledge reach grpc-java servers, one plain and one over TLS.
 */
class GrpcIngressIT {
    private static final Manifests MANIFESTS = new Manifests("apps");
    private static final ServicePort GRPC = new ServicePort("grpc", 50051);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void grpcGrpcsAndH2cIngressesCarryUnaryCallsThroughWatcherCompilerAndProxy(@TempDir Path dir) throws Exception {
        TestCerts.Cert ca = TestCerts.ca("apps-grpc-ca");
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        try (GrpcBackend plain = GrpcBackend.start("plain");
             GrpcBackend secure = GrpcBackend.startTls("secure", TestCerts.issuedBy(ca, "greeter-tls.apps.svc"))) {
            Files.writeString(manifests.resolve("class.yaml"), Manifests.ingressClass());
            Files.writeString(manifests.resolve("backends.yaml"), Manifests.documents(
                    MANIFESTS.service("greeter", GRPC, List.of(Endpoint.loopback(plain.port()))),
                    MANIFESTS.service("greeter-tls", GRPC, List.of(Endpoint.loopback(secure.port())))));
            Files.writeString(manifests.resolve("secrets.yaml"), MANIFESTS.tlsSecret("grpc-ca", "", "", ca.certPem()));
            Files.writeString(manifests.resolve("ingresses.yaml"), Manifests.documents(
                    ingress("greeter", "grpc.local", "greeter")
                            .annotation("nginx.ingress.kubernetes.io/backend-protocol", "GRPC").yaml(),
                    ingress("greeter-tls", "grpcs.local", "greeter-tls")
                            .annotation("nginx.ingress.kubernetes.io/backend-protocol", "GRPCS")
                            .annotation("nginx.ingress.kubernetes.io/proxy-ssl-secret", "apps/grpc-ca")
                            .annotation("nginx.ingress.kubernetes.io/proxy-ssl-verify", "on")
                            .annotation("nginx.ingress.kubernetes.io/proxy-ssl-name", "greeter-tls.apps.svc").yaml(),
                    ingress("greeter-h2c", "h2c.local", "greeter")
                            .annotation("signalbox.dev/backend-protocol", "H2C").yaml()));
            LocalConfig config = LocalConfig.onFreePorts(manifests, dir.resolve("data"), 1);
            try (LocalMode local = LocalMode.start(config)) {
                ProxyNode proxy = local.proxies().get(0);
                assertEquals("plain: hello", call(proxy, "grpc.local"));
                assertEquals("secure: hello", call(proxy, "grpcs.local"));
                assertEquals("plain: hello", call(proxy, "h2c.local"));
            }
        }
    }

    /** A unary call to {@code authority} through the proxy, once the route is there (until then: UNIMPLEMENTED). */
    private static String call(ProxyNode proxy, String authority) throws InterruptedException {
        ManagedChannel channel = GrpcBackend.plaintextChannel(proxy.httpPort(), authority);
        try {
            return Await.value(authority + " to answer", WAIT, () -> {
                try {
                    return ClientCalls.blockingUnaryCall(channel, GrpcBackend.SAY, GrpcBackend.deadline(5_000), "hello");
                } catch (StatusRuntimeException e) {
                    return null;
                }
            }, r -> r != null);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static Manifests.Ingress ingress(String name, String host, String service) {
        return MANIFESTS.ingress(name).className(Manifests.OUR_CLASS).port(GRPC)
                .rule(new Rule(host, Manifests.prefix("/", service)));
    }
}
