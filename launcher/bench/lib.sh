# Shared by the benchmark scripts here (sourced after they cd to the repository's root).

# backend_manifests SERVICE PORT_NAME SERVICE_PORT BACKEND_PORT
# Prints the YAML of the IngressClass "signalbox", the Service SERVICE in namespace bench (port PORT_NAME,
# SERVICE_PORT) and its EndpointSlice with one ready endpoint, 127.0.0.1:BACKEND_PORT; each document ends with "---",
# so the script's own Ingress (and Secret) follow.
backend_manifests() {
  cat <<YAML
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: signalbox}
spec: {controller: signalbox.dev/ingress-controller}
---
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: bench}
spec: {ports: [{name: $2, port: $3, targetPort: $4}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $1-1, namespace: bench, labels: {kubernetes.io/service-name: $1}}
addressType: IPv4
ports: [{name: $2, port: $4}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
---
YAML
}
