package dev.signalbox.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/**
 * The objects the Kubernetes-source tests put into fabric8's mock API server, built in one place: an app is a
 * Service (port "http" 80, target port "http"), its EndpointSlice with one ready endpoint on 127.0.0.1, and an
 * Ingress of class {@code signalbox} routing {@code host/} (Prefix) to it. Created or updated, so that a client's
 * retry after a timeout on a loaded machine does not fail with 409. (The manifests-source tests use the launcher's
 * {@code Manifests}, which writes YAML.)
 */
public final class MockApps {
    private MockApps() {
    }

    /** The Service {@code name} and its EndpointSlice, and an Ingress of the same name routing {@code host} to it. */
    public static void app(KubernetesClient client, String namespace, String name, String host, int port) {
        service(client, namespace, name, port);
        client.resource(ingress(namespace, name, host, name)).createOr(NonDeletingOperation::update);
    }

    /** The Service {@code name} (port "http") and its EndpointSlice: one ready endpoint at 127.0.0.1:{@code port}. */
    public static void service(KubernetesClient client, String namespace, String name, int port) {
        client.resource(new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http"))
                .endPort().endSpec().build()).createOr(NonDeletingOperation::update);
        client.resource(new EndpointSliceBuilder().withNewMetadata().withName(name + "-x").withNamespace(namespace)
                .addToLabels("kubernetes.io/service-name", name).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(port).endPort()
                .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions().endEndpoint()
                .build()).createOr(NonDeletingOperation::update);
    }

    /** An Ingress of class signalbox routing {@code host/} (Prefix) to the port "http" of Service {@code service}. */
    public static Ingress ingress(String namespace, String name, String host, String service) {
        return new IngressBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withIngressClassName("signalbox").addNewRule().withHost(host).withNewHttp()
                .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName(service)
                .withNewPort().withName("http").endPort().endService().endBackend().endPath().endHttp().endRule()
                .endSpec().build();
    }

    /** Installs the ServiceExport CRD (multicluster.x-k8s.io/v1alpha1, KEP-1645), as an MCS implementation does. */
    public static void serviceExportCrd(KubernetesClient client) {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("serviceexports.multicluster.x-k8s.io").endMetadata()
                .withNewSpec().withGroup("multicluster.x-k8s.io").withScope("Namespaced")
                .withNewNames().withKind("ServiceExport").withPlural("serviceexports").withSingular("serviceexport").endNames()
                .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true).endVersion()
                .endSpec().build()).createOr(NonDeletingOperation::update);
    }

    /** Exports Service {@code name} to the cluster set (a ServiceExport of the same namespace and name). */
    public static void serviceExport(KubernetesClient client, String namespace, String name) {
        client.genericKubernetesResources("multicluster.x-k8s.io/v1alpha1", "ServiceExport").inNamespace(namespace)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion("multicluster.x-k8s.io/v1alpha1")
                        .withKind("ServiceExport").withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                        .build())
                .createOr(NonDeletingOperation::update);
    }
}
