#!/usr/bin/env bash
# WebSocket messages per second through Signalbox (local mode) and through nginx (proxy_pass with the Upgrade
# headers), side by side in one run, against the same echo backend, with the backend alone as the baseline.
# The load generator (test-support WebSocketLoad: N connections, W messages in flight each) runs on core 0; the
# echo backend (test-support WebSocketEchoBackend), nginx (one worker) and Signalbox (one event loop, the JVM
# settings of bin/ingress perf) on core 1 (taskset). Each proxy is warmed up, then the targets take turns, RUNS
# times; it prints messages/s and each proxy's CPU time per message (from /proc), then the medians and the ratio.
# Needs: nginx, taskset (Debian: apt-get install nginx util-linux).
# Usage: launcher/bench/websocket-bench.sh [SECONDS] [CONNECTIONS] [WINDOW] [BYTES] [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
source launcher/bench/lib.sh
SECS=${1:-10}
CONNS=${2:-64}
WINDOW=${3:-8}
BYTES=${4:-128}
RUNS=${5:-3}
CLIENT_CORE=0
SERVER_CORE=1
JVM_OPTS="-Xms1g -Xmx1g -XX:+UseParallelGC -XX:ActiveProcessorCount=1"
W=$(mktemp -d /tmp/signalbox-ws-bench.XXXXXX)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BACKEND=$(port); NGINX=$(port); HTTP=$(port); HTTPS=$(port); ADMIN=$(port); KAFKA=$(port)
PIDS=()
trap 'for p in "${PIDS[@]}"; do pkill -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; echo "logs: $W"' EXIT

CP="$ROOT/test-support/target/classes:$ROOT/raw-http/target/classes"
if [ ! -f "$ROOT/test-support/target/classes/dev/signalbox/testing/WebSocketLoad.class" ]; then
  mvn -B -q package -pl test-support -am -DskipTests -Dsignalbox.cds.skip
fi

taskset -c $SERVER_CORE java -Xmx256m -XX:+UseSerialGC -cp "$CP" dev.signalbox.testing.WebSocketEchoBackend $BACKEND \
  > "$W/backend.log" 2>&1 & PIDS+=($!); BACKEND_PID=$!

cat > "$W/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $W/nginx.pid;
error_log $W/nginx-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $W/nginx-body;
  proxy_temp_path $W/nginx-proxy;
  fastcgi_temp_path $W/nginx-fastcgi;
  uwsgi_temp_path $W/nginx-uwsgi;
  scgi_temp_path $W/nginx-scgi;
  server {
    listen 127.0.0.1:$NGINX backlog=4096;
    location / {
      proxy_pass http://127.0.0.1:$BACKEND;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 300s;
    }
  }
}
NGINX
taskset -c $SERVER_CORE nginx -p "$W" -e "$W/nginx-stderr.log" -c "$W/nginx.conf" & PIDS+=($!); NGINX_PID=$!

mkdir -p "$W/manifests"
{ backend_manifests echo ws 80 $BACKEND; cat <<YAML
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ws, namespace: bench}
spec:
  ingressClassName: signalbox
  rules:
  - http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}]
YAML
} > "$W/manifests/ws.yaml"
SIGNALBOX_JAVA_OPTS="$JVM_OPTS" taskset -c $SERVER_CORE bin/ingress local --manifests "$W/manifests" \
  --data-dir "$W/data" --kafka-port $KAFKA --http-port $HTTP --https-port $HTTPS --admin-port $ADMIN --io-threads 1 \
  > "$W/signalbox.log" 2>&1 & PIDS+=($!); SB_PID=$!

# Ready when each answers a plain GET with the backend's 403 (not a WebSocket handshake).
for target in $BACKEND $NGINX $HTTP; do
  for i in $(seq 1 900); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$target/ 2>/dev/null)" = 403 ] && break
    sleep 0.2
  done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() { # port seconds -> messages/s
  taskset -c $CLIENT_CORE java -Xmx512m -cp "$CP" dev.signalbox.testing.WebSocketLoad "$1" $CONNS $WINDOW $BYTES "$2" \
    | sed -E 's/.*: ([0-9]+) msg\/s.*/\1/'
}
HZ=$(getconf CLK_TCK)
measure() { # name port pid -> "msg/s us/msg"
  local before after rate
  before=$(cpu_ticks "$3")
  rate=$(load "$2" "$SECS")
  after=$(cpu_ticks "$3")
  echo "$rate $(awk -v t=$((after - before)) -v hz=$HZ -v r="$rate" -v s="$SECS" 'BEGIN { printf "%.2f", (r > 0 ? t / hz * 1e6 / (r * s) : 0) }')"
}

echo "WebSocket echo, $CONNS connections x $WINDOW in flight, $BYTES-byte text messages, $SECS s per run; $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warming up: Signalbox 20 s, nginx 5 s"
load $HTTP 20 > /dev/null
load $NGINX 5 > /dev/null
declare -A RATES CPUS
for run in $(seq 1 "$RUNS"); do
  for t in backend nginx signalbox; do
    case $t in
      backend) p=$BACKEND; pid=$BACKEND_PID ;;
      nginx) p=$NGINX; pid=$(pgrep -P $NGINX_PID | head -1) ;;
      signalbox) p=$HTTP; pid=$SB_PID ;;  # bin/ingress execs the JVM
    esac
    read -r rate cpu < <(measure $t $p "$pid")
    RATES[$t]="${RATES[$t]:-} $rate"; CPUS[$t]="${CPUS[$t]:-} $cpu"
    printf '%-10s run %d: %10s msg/s  %8s us CPU/msg (%s)\n' "$t" "$run" "$rate" "$cpu" \
      "$([ $t = backend ] && echo 'the backend alone' || echo 'the proxy process')"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
NG=$(echo "${RATES[nginx]}" | median); SB=$(echo "${RATES[signalbox]}" | median); BE=$(echo "${RATES[backend]}" | median)
NGC=$(echo "${CPUS[nginx]}" | median); SBC=$(echo "${CPUS[signalbox]}" | median)
echo "median msg/s: backend alone $BE, nginx $NG, signalbox $SB; signalbox/nginx $(awk -v a=$SB -v b=$NG 'BEGIN { printf "%.2f", a / b }')x"
echo "median proxy CPU per message: nginx $NGC us, signalbox $SBC us"
