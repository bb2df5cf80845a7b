#!/usr/bin/env bash
# gRPC calls per second through Signalbox (backend-protocol GRPC) and through nginx (grpc_pass, 1 worker), side by
# side in one run, against one gRPC backend: an nginx (1 worker, h2c) that answers every call with one empty
# message and grpc-status 0 in the trailers, so the proxies, not the backend, are what is measured. The client is
# h2load sending unary gRPC calls over h2c with prior knowledge (POST, content-type application/grpc,
# te: trailers, one framed empty message). Pinned: h2load on core 0, every server on core 1; Signalbox runs in
# local mode with one event loop (--io-threads 1), as nginx's one worker. Prints calls/s per target and the ratio.
# Needs: h2load and nghttp (nghttp2-client), nginx, taskset.
# Usage: launcher/bench/grpc-bench.sh [SECONDS] [CONNECTIONS] [STREAMS PER CONNECTION]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-15}
CONNS=${2:-16}
STREAMS=${3:-10}
W=$(mktemp -d /tmp/signalbox-grpc-bench.XXXXXX)
base=$((20000 + RANDOM % 20000))
BACKEND=$base; NGINX=$((base + 1)); HTTP=$((base + 2)); ADMIN=$((base + 3))
SB=""; NB=""; NP=""
trap 'kill $SB $NB $NP 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"' EXIT
trap 'exit 1' INT TERM

# The gRPC response body: one message of length 0 (compressed flag 0, length 0). A static file; POST to a static
# file is 405 in nginx, so 405 is turned into that file with 200.
mkdir -p "$W/www"; printf '\0\0\0\0\0' > "$W/www/call"; printf '\0\0\0\0\0' > "$W/request"
chmod -R a+rX "$W"  # nginx's workers run as another user
cat > "$W/backend.conf" <<NGINX
worker_processes 1;
pid $W/backend.pid;
error_log $W/backend-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$BACKEND http2;
    keepalive_requests 1000000;
    location / {
      root $W/www; default_type application/grpc;
      rewrite ^ /call break;
      error_page 405 =200 /call;
      add_trailer grpc-status 0 always;
    }
  }
}
NGINX
cat > "$W/proxy.conf" <<NGINX
worker_processes 1;
pid $W/proxy.pid;
error_log $W/proxy-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX http2;
    keepalive_requests 1000000;
    location / { grpc_pass grpc://backend; }
  }
}
NGINX
taskset -c 1 nginx -c "$W/backend.conf" -g 'daemon off;' & NB=$!
taskset -c 1 nginx -c "$W/proxy.conf" -g 'daemon off;' & NP=$!

mkdir -p "$W/manifests"
cat > "$W/manifests/grpc.yaml" <<YAML
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: signalbox}
spec: {controller: signalbox.dev/ingress-controller}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: bench}
spec: {ports: [{name: grpc, port: 50051, targetPort: $BACKEND}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo-1, namespace: bench, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
ports: [{name: grpc, port: $BACKEND}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: grpc
  namespace: bench
  annotations: {nginx.ingress.kubernetes.io/backend-protocol: GRPC}
spec:
  ingressClassName: signalbox
  rules:
  - host: grpc.bench
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 50051}}}}]
YAML
taskset -c 1 bin/ingress local --manifests "$W/manifests" --data-dir "$W/data" --http-port $HTTP --admin-port $ADMIN \
  --io-threads 1 > "$W/signalbox.log" 2>&1 & SB=$!

call() { # port: one gRPC call with nghttp, printing the response's status and grpc-status
  nghttp -v -H ':method: POST' -H ':authority: grpc.bench' -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$W/request" "http://127.0.0.1:$1/bench.Echo/Say" 2>&1 | grep -aoE ':status: [0-9]+|grpc-status: [0-9]+' | tr '\n' ' '
}
for i in $(seq 1 900); do
  if call $HTTP | grep -q ':status: 200 grpc-status: 0'; then break; fi
  sleep 0.2
done
echo "signalbox: $(call $HTTP)   nginx grpc_pass: $(call $NGINX)   backend alone: $(call $BACKEND)"

load() { # port seconds: calls per second
  taskset -c 0 h2load -c"$CONNS" -m"$STREAMS" -D"$2" -d "$W/request" -H ':authority: grpc.bench' \
    -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$1/bench.Echo/Say" > "$W/out" 2>&1 || true
  local rps failed non2xx
  rps=$(sed -nE 's/^finished in [^,]*, ([0-9.]+) req\/s.*/\1/p' "$W/out")
  failed=$(sed -nE 's/^requests: .* ([0-9]+) failed.*/\1/p' "$W/out")
  non2xx=$(sed -nE 's/^status codes: [0-9]+ 2xx, ([0-9]+) 3xx, ([0-9]+) 4xx, ([0-9]+) 5xx.*/\1+\2+\3/p' "$W/out")
  echo "${rps:-0} ${failed:-?} $((${non2xx:-0}))"
}
# Warm the JIT (and nginx) on the same load first.
load $HTTP 10 > /dev/null
load $NGINX 3 > /dev/null
printf '%s, %d s, %d connections x %d streams, h2load on core 0, servers on core 1\n' "$(date -u +%FT%TZ)" "$SECS" "$CONNS" "$STREAMS"
read -r b bf bn < <(load $BACKEND "$SECS")
read -r n nf nn < <(load $NGINX "$SECS")
read -r s sf sn < <(load $HTTP "$SECS")
# "failed": calls h2load saw no complete response to (reset, or still running at the end); "non-2xx": HTTP errors.
printf '%-32s %12s calls/s  (%s failed, %s non-2xx)\n' "backend alone" "$b" "$bf" "$bn" \
  "nginx grpc_pass (1 worker)" "$n" "$nf" "$nn" "signalbox (local, 1 event loop)" "$s" "$sf" "$sn"
awk -v s="$s" -v n="$n" 'BEGIN { if (n > 0) printf "signalbox / nginx: %.2fx\n", s / n }'
