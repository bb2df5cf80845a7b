#!/usr/bin/env bash
# Issue 15's restart figure: a compiler restarted at 10,000 Ingresses x 10 endpoints (100,000 endpoints) is serving
# again, timed from its process start to a proxy applying the version that holds a change written at that start.
# A Kafka node, a watcher (--manifests), a proxy and a compiler, each `bin/ingress` in its own process; once the
# first compiler published the whole table (its model checkpoint is then in signalbox.compiler.model), it is stopped
# with SIGTERM (it releases its lease) and started again ROUNDS times. Needs python3 and curl; run from anywhere:
#   bench/compiler-restart.sh [WORKDIR] [INGRESSES] [ENDPOINTS] [ROUNDS]
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
W="${1:-/tmp/signalbox-compiler-restart}"
N="${2:-10000}"; E="${3:-10}"; ROUNDS="${4:-3}"
B="$ROOT/bin/ingress"
rm -rf "$W" && mkdir -p "$W"
"$B" --help > /dev/null   # builds once if needed; the timed starts below run what is built
export SIGNALBOX_BUILD=never
python3 "$ROOT/bench/manifests.py" "$W" --clusters 1 --ingresses "$N" --endpoints "$E"
read -r KP HP AP <<< "$(python3 -c 'import socket
s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')"
K="127.0.0.1:$KP"
PIDS=()
C=
trap 'kill "${PIDS[@]}" $C 2>/dev/null; wait 2>/dev/null' EXIT
"$B" kafka --data-dir "$W/kafka" --port "$KP" > "$W/kafka.log" 2>&1 & PIDS+=($!)
for i in $(seq 1 60); do grep -q "kafka node started" "$W/kafka.log" && break; sleep 1; done
"$B" topics create --kafka "$K" > "$W/topics.log" 2>&1
# Admin ports 0 (any free one): the defaults (9101, 9102) may be taken by another local mode on the machine.
"$B" watcher --kafka "$K" --cluster-id c0 --manifests "$W/c0" --admin-port 0 > "$W/watcher.log" 2>&1 & PIDS+=($!)
"$B" proxy --kafka "$K" --http-port "$HP" --admin-port "$AP" > "$W/proxy.log" 2>&1 & PIDS+=($!)
"$B" compiler --kafka "$K" --admin-port 0 > "$W/compiler-0.log" 2>&1 & C=$!
version() { curl -s "http://127.0.0.1:$AP/metrics" | awk '/^signalbox_applied_snapshot_version/ {printf "%d\n", $2}'; }
endpoints() { curl -s "http://127.0.0.1:$AP/routes" | python3 -c \
  "import json,sys; print(sum(len(b['endpoints']) for b in json.load(sys.stdin)['table']['backends']))"; }
t0=$(date +%s)
for i in $(seq 1 600); do n=$(endpoints 2>/dev/null); [ "${n:-0}" -ge $((N * E)) ] && break; sleep 2; done
echo "first start: ${n:-0} endpoints served after $(( $(date +%s) - t0 )) s (version $(version))"
sleep 5
f="$W/c0/apps-0.yaml"
for k in $(seq 1 "$ROUNDS"); do
  kill -TERM "$C"; wait "$C" 2>/dev/null
  v0=$(version)
  sed "s/\"10\.0\.0\.0\"\|\"10\.0\.250\.[0-9]*\"/\"10.0.250.$k\"/" "$f" > "$W/c0/.apps-0.tmp"
  s=$(date +%s%N)
  "$B" compiler --kafka "$K" --admin-port 0 > "$W/compiler-$k.log" 2>&1 & C=$!
  mv "$W/c0/.apps-0.tmp" "$f"
  while :; do v=$(version); [ "${v:-0}" -gt "$v0" ] && break; sleep 0.005; done
  ms=$(( ($(date +%s%N) - s) / 1000000 ))
  restored=$(grep -o "restored the cluster model from its checkpoint: [0-9]* objects.* in [0-9]* ms" "$W/compiler-$k.log" | sed 's/ at offsets.* in / in /')
  echo "restart $k: serving again ${ms} ms after process start (version $v0 -> $v; ${restored:-no checkpoint restore logged})"
  sleep 3
done
echo "the last change in the proxy's table: $(curl -s "http://127.0.0.1:$AP/routes" | grep -o '"10.0.250.[0-9]*"' | head -1)"
