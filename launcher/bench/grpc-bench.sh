#!/usr/bin/env bash
# gRPC calls per second through Signalbox (backend-protocol GRPC) and through nginx (grpc_pass, 1 worker), side by
# side in one run, against one gRPC backend: an nginx (1 worker, h2c) that answers every call with one empty
# message and grpc-status 0 in the trailers, so the proxies, not the backend, are what is measured. The client is
# h2load sending unary gRPC calls over h2c with prior knowledge (POST, content-type application/grpc,
# te: trailers, one framed empty message). Pinned: h2load on core 0, every server on core 1; Signalbox runs in
# local mode with one event loop (--io-threads 1), as nginx's one worker. Prints calls/s per target and the ratio.
# Each proxy is measured RUNS times, alternating, and the median printed with its CPU time per call (from /proc:
# nginx's worker; Signalbox's whole JVM, so local mode's idle broker, watcher and compiler count too), the steadier
# figure on a shared machine.
# Needs: h2load and nghttp (nghttp2-client), nginx, taskset.
# Usage: [TRANSPORT=auto|io_uring|epoll|nio] launcher/bench/grpc-bench.sh [SECONDS] [CONNECTIONS] [STREAMS PER CONNECTION] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source launcher/bench/lib.sh
SECS=${1:-15}
CONNS=${2:-16}
STREAMS=${3:-10}
RUNS=${4:-3}
W=$(mktemp -d /tmp/signalbox-grpc-bench.XXXXXX)
while :; do # four free ports in a row
  base=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768-), which outgoing connections take
  ss -Hltn | awk '{print $4}' | grep -qE ":($base|$((base + 1))|$((base + 2))|$((base + 3)))\$" || break
done
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
{ backend_manifests echo grpc 50051 $BACKEND; cat <<YAML
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
} > "$W/manifests/grpc.yaml"
taskset -c 1 bin/ingress local --manifests "$W/manifests" --data-dir "$W/data" --http-port $HTTP --admin-port $ADMIN \
  --io-threads 1 --transport "${TRANSPORT:-auto}" > "$W/signalbox.log" 2>&1 & SB=$!

call() { # port: one gRPC call with nghttp, printing the response's status and grpc-status
  nghttp -v -H ':method: POST' -H ':authority: grpc.bench' -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$W/request" "http://127.0.0.1:$1/bench.Echo/Say" 2>&1 | grep -aoE ':status: [0-9]+|grpc-status: [0-9]+' | tr '\n' ' '
}
for i in $(seq 1 900); do
  if call $HTTP | grep -q ':status: 200 grpc-status: 0'; then break; fi
  sleep 0.2
done
echo "signalbox: $(call $HTTP)   nginx grpc_pass: $(call $NGINX)   backend alone: $(call $BACKEND)"

cpu() { # pid: user+system CPU time in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}
load() { # port seconds [pid]: calls per second, failed, non-2xx, CPU microseconds per call of pid
  local before=0 after=0
  [ -z "${3:-}" ] || before=$(cpu "$3")
  taskset -c 0 h2load -c"$CONNS" -m"$STREAMS" -D"$2" -d "$W/request" -H ':authority: grpc.bench' \
    -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$1/bench.Echo/Say" > "$W/out" 2>&1 || true
  [ -z "${3:-}" ] || after=$(cpu "$3")
  local rps failed non2xx done
  rps=$(sed -nE 's/^finished in [^,]*, ([0-9.]+) req\/s.*/\1/p' "$W/out")
  failed=$(sed -nE 's/^requests: .* ([0-9]+) failed.*/\1/p' "$W/out")
  done=$(sed -nE 's/^requests: .* ([0-9]+) done.*/\1/p' "$W/out")
  non2xx=$(sed -nE 's/^status codes: [0-9]+ 2xx, ([0-9]+) 3xx, ([0-9]+) 4xx, ([0-9]+) 5xx.*/\1+\2+\3/p' "$W/out")
  echo "${rps:-0} ${failed:-?} $((${non2xx:-0})) $(awk -v t=$((after - before)) -v n="${done:-0}" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { if (n > 0 && t > 0) printf "%.1f", t * 1e6 / hz / n; else printf "-" }')"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
WORKER=$(pgrep -P "$NP" | head -1)
# Warm the JIT (and nginx) on the same load first.
load $HTTP 10 > /dev/null
load $NGINX 3 > /dev/null
printf '%s, %d s x %d runs, %d connections x %d streams, h2load on core 0, servers on core 1, load average %s\n' \
  "$(date -u +%FT%TZ)" "$SECS" "$RUNS" "$CONNS" "$STREAMS" "$(cut -d' ' -f1-3 /proc/loadavg)"
read -r b bf bn bc < <(load $BACKEND "$SECS")
printf '%-32s %10s calls/s  (%s failed, %s non-2xx)\n' "backend alone" "$b" "$bf" "$bn"
: > "$W/n"; : > "$W/s"
for r in $(seq 1 "$RUNS"); do
  # "failed": calls h2load saw no complete response to; "non-2xx": HTTP errors.
  read -r n nf nn nc < <(load $NGINX "$SECS" "$WORKER"); echo "$n $nc" >> "$W/n"
  printf '  run %d %-24s %10s calls/s  %6s us CPU/call  (%s failed, %s non-2xx)\n' "$r" "nginx grpc_pass" "$n" "$nc" "$nf" "$nn"
  read -r s sf sn sc < <(load $HTTP "$SECS" "$SB"); echo "$s $sc" >> "$W/s"
  printf '  run %d %-24s %10s calls/s  %6s us CPU/call  (%s failed, %s non-2xx)\n' "$r" "signalbox" "$s" "$sc" "$sf" "$sn"
done
n=$(cut -d' ' -f1 "$W/n" | median); nc=$(cut -d' ' -f2 "$W/n" | median)
s=$(cut -d' ' -f1 "$W/s" | median); sc=$(cut -d' ' -f2 "$W/s" | median)
printf '%-32s %10s calls/s  %6s us CPU/call (medians)\n' "nginx grpc_pass (1 worker)" "$n" "$nc" \
  "signalbox (local, 1 event loop)" "$s" "$sc"
awk -v s="$s" -v n="$n" -v sc="$sc" -v nc="$nc" 'BEGIN { if (n > 0) printf "signalbox / nginx: %.2fx calls/s", s / n;
  if (nc > 0) printf ", %.2fx CPU per call", sc / nc; print "" }'
