#!/usr/bin/env bash
# Issue 14's end-to-end figure: 10 clusters x 1,000 Ingresses x 10 endpoints, every Service exported in every cluster
# (one merged Service per host: 100 endpoints each, 100,000 in all), local mode (cluster c0, two proxies) plus nine
# `bin/ingress watcher --cluster-id cN --manifests DIR` processes into its broker; then one endpoint of cluster c3
# changed ten times, each timed from the file's rename to both proxies applying the version that holds it
# (signalbox_applied_snapshot_version on their admin ports). Needs python3 and curl; run from anywhere:
#   bench/multicluster-propagation.sh [WORKDIR]
# Other sizes by environment (issue 15's single-cluster figure: CLUSTERS=1 INGRESSES=10000 CHANGES=30): CLUSTERS,
# INGRESSES (per cluster, a multiple of 100), ENDPOINTS, CHANGES, WARMUP (changes made first and reported apart, 3:
# the first changes after a start run on code the JIT has not compiled yet); LATE_PROXY=1 then starts one more proxy under
# -Xmx256m against the same broker and times its process start to serving the latest version.
set -u
C="${CLUSTERS:-10}"; N="${INGRESSES:-1000}"; E="${ENDPOINTS:-10}"; CHANGES="${CHANGES:-10}"
K=$(( C > 3 ? 3 : C - 1 ))
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
W="${1:-/tmp/signalbox-multicluster}"
B="$ROOT/bin/ingress"
rm -rf "$W" && mkdir -p "$W"
python3 "$ROOT/bench/manifests.py" "$W" --clusters "$C" --ingresses "$N" --endpoints "$E" --export
"$B" local --manifests "$W/c0" --cluster-id c0 --proxies 2 --http-port 28080 --https-port 28443 --admin-port 29090 \
  --watcher-admin-port 0 --compiler-admin-port 0 \
  --kafka-port 29992 --data-dir "$W/data" > "$W/local.log" 2>&1 &
PIDS=($!)
for i in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:29090/healthz && break; sleep 1; done
for c in $(seq 1 $(( C - 1 ))); do
  "$B" watcher --kafka 127.0.0.1:29992 --cluster-id "c$c" --manifests "$W/c$c" --admin-port 0 > "$W/watcher-c$c.log" 2>&1 &
  PIDS+=($!)
done
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
version() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^signalbox_applied_snapshot_version/ {printf "%d\n", $2}'; }
endpoints() { curl -s http://127.0.0.1:29090/routes | python3 -c \
  "import json,sys; print(sum(len(b['endpoints']) for b in json.load(sys.stdin)['table']['backends']))"; }
t0=$(date +%s)
for i in $(seq 1 300); do n=$(endpoints 2>/dev/null); [ "${n:-0}" -ge $(( C * N * E )) ] && break; sleep 2; done
echo "all $C clusters merged: ${n:-0} endpoints after $(( $(date +%s) - t0 )) s (version $(version 29090) / $(version 29091))"
sleep 5
f="$W/c$K/apps-0.yaml"
TIMES=()
WARMUP="${WARMUP:-3}"
for k in $(seq 1 $(( WARMUP + CHANGES ))); do
  v0=$(version 29090); w0=$(version 29091)
  sed "s/\"10\.$K\.0\.0\"\|\"10\.$K\.250\.[0-9]*\"/\"10.$K.250.$k\"/" "$f" > "$W/c$K/.apps-0.tmp"
  s=$(date +%s%N); mv "$W/c$K/.apps-0.tmp" "$f"
  while :; do a=$(version 29090); b=$(version 29091); [ "${a:-0}" -gt "$v0" ] && [ "${b:-0}" -gt "$w0" ] && break; sleep 0.005; done
  ms=$(( ($(date +%s%N) - s) / 1000000 ))
  if [ "$k" -le "$WARMUP" ]; then
    echo "warm-up change $k (not counted): versions $v0 -> $a / $w0 -> $b on both proxies after $ms ms"
  else
    TIMES+=("$ms")
    echo "change $(( k - WARMUP )): versions $v0 -> $a / $w0 -> $b on both proxies after $ms ms"
  fi
  sleep 2
done
printf '%s\n' "${TIMES[@]}" | sort -n | awk '{t[NR]=$1} END {p=int(NR*0.99+0.999); if (p<1) p=1; printf "changes: %d, p50 %d ms, p99 %d ms, max %d ms\n", NR, t[int((NR+1)/2)], t[p], t[NR]}'
echo "the last change in proxy-1's table: $(curl -s http://127.0.0.1:29091/routes | grep -o "\"10.$K.250.[0-9]*\"" | head -1)"
if [ "${LATE_PROXY:-0}" = 1 ]; then
  # A proxy joining now reads the latest full snapshot and the deltas after it (issue 15), in 256 MB of heap.
  want=$(version 29090)
  s=$(date +%s%N)
  SIGNALBOX_JAVA_OPTS="-Xmx256m" "$B" proxy --kafka 127.0.0.1:29992 --http-port 28099 --admin-port 29099 --node-id late \
    > "$W/late-proxy.log" 2>&1 &
  PIDS+=($!)
  while :; do l=$(version 29099 2>/dev/null); [ "${l:-0}" -ge "$want" ] && break; sleep 0.01; done
  echo "late proxy: serving version $l (the others: $want) $(( ($(date +%s%N) - s) / 1000000 )) ms after its process started;" \
    "its log: $(grep -o 'serving, [0-9]* ms after the JVM started' "$W/late-proxy.log")"
  jcmd "${PIDS[-1]}" GC.heap_info 2>/dev/null | grep -i 'used' | head -2 || true
fi
