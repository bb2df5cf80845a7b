#!/usr/bin/env bash
# Issue 14's end-to-end figure: 10 clusters x 1,000 Ingresses x 10 endpoints, every Service exported in every cluster
# (one merged Service per host: 100 endpoints each, 100,000 in all), local mode (cluster c0, two proxies) plus nine
# `bin/ingress watcher --cluster-id cN --manifests DIR` processes into its broker; then one endpoint of cluster c3
# changed ten times, each timed from the file's rename to both proxies applying the version that holds it
# (signalbox_applied_snapshot_version on their admin ports). Needs python3 and curl; run from anywhere:
#   bench/multicluster-propagation.sh [WORKDIR]
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
W="${1:-/tmp/signalbox-multicluster}"
B="$ROOT/bin/ingress"
rm -rf "$W" && mkdir -p "$W"
python3 "$ROOT/bench/manifests.py" "$W" --clusters 10 --ingresses 1000 --endpoints 10 --export
"$B" local --manifests "$W/c0" --cluster-id c0 --proxies 2 --http-port 28080 --https-port 28443 --admin-port 29090 \
  --kafka-port 29992 --data-dir "$W/data" > "$W/local.log" 2>&1 &
PIDS=($!)
for i in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:29090/healthz && break; sleep 1; done
for c in 1 2 3 4 5 6 7 8 9; do
  "$B" watcher --kafka 127.0.0.1:29992 --cluster-id "c$c" --manifests "$W/c$c" > "$W/watcher-c$c.log" 2>&1 &
  PIDS+=($!)
done
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
version() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^signalbox_applied_snapshot_version/ {print $2}'; }
endpoints() { curl -s http://127.0.0.1:29090/routes | python3 -c \
  "import json,sys; print(sum(len(b['endpoints']) for b in json.load(sys.stdin)['table']['backends']))"; }
t0=$(date +%s)
for i in $(seq 1 300); do n=$(endpoints 2>/dev/null); [ "${n:-0}" -ge 100000 ] && break; sleep 2; done
echo "all 10 clusters merged: ${n:-0} endpoints after $(( $(date +%s) - t0 )) s (version $(version 29090) / $(version 29091))"
sleep 5
f="$W/c3/apps-0.yaml"
for k in 1 2 3 4 5 6 7 8 9 10; do
  v0=$(version 29090); w0=$(version 29091)
  sed "s/\"10\.3\.0\.0\"\|\"10\.3\.250\.[0-9]*\"/\"10.3.250.$k\"/" "$f" > "$W/c3/.apps-0.tmp"
  s=$(date +%s%N); mv "$W/c3/.apps-0.tmp" "$f"
  while :; do a=$(version 29090); b=$(version 29091); [ "${a:-0}" -gt "$v0" ] && [ "${b:-0}" -gt "$w0" ] && break; sleep 0.005; done
  echo "change $k: versions $v0 -> $a / $w0 -> $b on both proxies after $(( ($(date +%s%N) - s) / 1000000 )) ms"
  sleep 2
done
echo "the last change in proxy-1's table: $(curl -s http://127.0.0.1:29091/routes | grep -o '"10.3.250.[0-9]*"' | head -1)"
