package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The Kubernetes kinds Signalbox routes from, spelled as the Kubernetes API spells them. */
public enum Kind {
    INGRESS("Ingress"),
    INGRESS_CLASS("IngressClass"),
    SERVICE("Service"),
    ENDPOINT_SLICE("EndpointSlice"),
    SECRET("Secret"),
    /** multicluster.x-k8s.io/v1alpha1 ServiceExport (KEP-1645): the Service of the same name joins the cluster set. */
    SERVICE_EXPORT("ServiceExport"),
    /** A v1 ConfigMap, published only while an Ingress names it for header fields ({@link ConfigMapState}). */
    CONFIG_MAP("ConfigMap");

    private final String apiName;

    Kind(String apiName) {
        this.apiName = apiName;
    }

    @JsonValue
    public String apiName() {
        return apiName;
    }

    @JsonCreator
    public static Kind fromApiName(String name) {
        for (Kind k : values()) {
            if (k.apiName.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind " + name);
    }
}
