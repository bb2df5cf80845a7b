#!/usr/bin/env bash
# HTTPS next to plain HTTP through one local-mode proxy, with wrk and h2load, against an nginx backend that
# answers a small static body (so the proxy, not the backend, is what is measured). Prints one line per run.
# Needs: wrk, h2load, nginx, openssl (Debian: apt-get install wrk nghttp2-client nginx-light openssl).
# Usage: launcher/bench/tls-bench.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source launcher/bench/lib.sh
SECS=${1:-15}
CONNS=${2:-50}
W=$(mktemp -d /tmp/signalbox-tls-bench.XXXXXX)
HTTP=28080; HTTPS=28443; ADMIN=29090; BACKEND=28090
# wrk and h2load take the SNI name from the URL: bench.local must resolve to loopback.
grep -q '^127.0.0.1 bench.local' /etc/hosts || echo "127.0.0.1 bench.local" >> /etc/hosts
trap 'kill $SB $NG 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"' EXIT

cat > "$W/nginx.conf" <<NGINX
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND; location / { return 200 "ok\n"; } }
}
NGINX
nginx -c "$W/nginx.conf" -g 'daemon off;' & NG=$!

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bench.local -addext subjectAltName=DNS:bench.local \
  -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
mkdir -p "$W/manifests"
{ backend_manifests fast http 80 $BACKEND; cat <<YAML
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata: {name: bench-tls, namespace: bench}
data:
  tls.crt: $(base64 -w0 "$W/cert.pem")
  tls.key: $(base64 -w0 "$W/key.pem")
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bench
  namespace: bench
  # Plain HTTP is proxied too (no 308), so both ports do the same work.
  annotations: {signalbox.dev/ssl-redirect: "false"}
spec:
  ingressClassName: signalbox
  tls: [{hosts: [bench.local], secretName: bench-tls}]
  rules:
  - host: bench.local
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: fast, port: {number: 80}}}}]
YAML
} > "$W/manifests/bench.yaml"

bin/ingress local --manifests "$W/manifests" --data-dir "$W/data" --http-port $HTTP --https-port $HTTPS \
  --admin-port $ADMIN > "$W/signalbox.log" 2>&1 & SB=$!
for i in $(seq 1 600); do
  if curl -sk --resolve bench.local:$HTTPS:127.0.0.1 https://bench.local:$HTTPS/ 2>/dev/null | grep -q ok; then break; fi
  sleep 0.2
done
grep -o 'TLS provider: [^(]*([^)]*)' "$W/signalbox.log" | head -1
curl -s --resolve bench.local:$HTTPS:127.0.0.1 --cacert "$W/cert.pem" -o /dev/null -w 'verified HTTPS with the Secret certificate: %{http_code}\n' https://bench.local:$HTTPS/

run() { # name, then the command
  local name=$1; shift
  "$@" > "$W/out" 2>&1 || true
  local rps
  rps=$(grep -E '^Requests/sec|finished in' "$W/out" | sed -E 's/.*Requests\/sec: *([0-9.]+).*/\1/; s/.*finished in [^,]*, ([0-9.]+) req\/s.*/\1/' | head -1 || true)
  local lat
  lat=$(grep -E '^ +Latency' "$W/out" | awk '{print "avg " $2 ", max " $4}' || true)
  local err
  err=$(grep -E 'Non-2xx|Socket errors|requests: .* failed' "$W/out" | tr '\n' ' ' || true)
  printf '%-44s %10s req/s  %s %s\n' "$name" "$rps" "$lat" "$err"
}
# Warm the JIT on both paths first.
wrk -t1 -c$CONNS -d5s -H 'Host: bench.local' http://127.0.0.1:$HTTP/ > /dev/null 2>&1 || true
wrk -t1 -c$CONNS -d5s https://bench.local:$HTTPS/ > /dev/null 2>&1 || true
run "nginx backend alone (HTTP, keep-alive)" wrk -t1 -c$CONNS -d${SECS}s http://127.0.0.1:$BACKEND/
run "proxy HTTP/1.1 keep-alive" wrk -t1 -c$CONNS -d${SECS}s -H 'Host: bench.local' http://127.0.0.1:$HTTP/
run "proxy HTTPS HTTP/1.1 keep-alive" wrk -t1 -c$CONNS -d${SECS}s https://bench.local:$HTTPS/
run "proxy HTTPS h2 ($CONNS conns x 1 stream)" h2load -c$CONNS -m1 -D$SECS https://bench.local:$HTTPS/
run "proxy HTTPS h2 ($CONNS conns x 10 streams)" h2load -c$CONNS -m10 -D$SECS https://bench.local:$HTTPS/
run "proxy HTTP, new connection per request" wrk -t1 -c$CONNS -d${SECS}s -H 'Connection: close' -H 'Host: bench.local' http://127.0.0.1:$HTTP/
run "proxy HTTPS, new TLS handshake per request" wrk -t1 -c$CONNS -d${SECS}s -H 'Connection: close' https://bench.local:$HTTPS/
