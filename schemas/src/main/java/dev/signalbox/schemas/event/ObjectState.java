package dev.signalbox.schemas.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The part of a Kubernetes object that routing needs. Anything routing ignores (managedFields,
 * last-applied annotations, status) is stripped by the watcher, so an edit of those alone is not an event.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = IngressState.class, name = "Ingress"),
    @JsonSubTypes.Type(value = IngressClassState.class, name = "IngressClass"),
    @JsonSubTypes.Type(value = ServiceState.class, name = "Service"),
    @JsonSubTypes.Type(value = EndpointSliceState.class, name = "EndpointSlice"),
    @JsonSubTypes.Type(value = TlsSecretState.class, name = "TlsSecret"),
    @JsonSubTypes.Type(value = RejectedState.class, name = "Rejected"),
    @JsonSubTypes.Type(value = ServiceExportState.class, name = "ServiceExport"),
    @JsonSubTypes.Type(value = AuthSecretState.class, name = "AuthSecret"),
    @JsonSubTypes.Type(value = ConfigMapState.class, name = "ConfigMap"),
})
public sealed interface ObjectState
        permits IngressState, IngressClassState, ServiceState, EndpointSliceState, TlsSecretState, RejectedState,
        ServiceExportState, AuthSecretState, ConfigMapState {
    @com.fasterxml.jackson.annotation.JsonIgnore
    Kind kind();
}
