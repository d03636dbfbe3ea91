#!/usr/bin/env bash
# run.sh regenerates testdata/incident/ from real services: it builds and
# starts db (Go, zerolog), inventory (Python, structlog), orders (Go, slog) and
# gateway (Node, pino-http) on 127.0.0.1, drives them with seeded background
# traffic, and on a fixed timeline deploys a broken orders release, deploys an
# unrelated gateway release, and takes the db down for a while. It records
# every deploy (never the outage), then picks the investigation cases from the
# logs and checks the corpus with verify.sh.
#
# Usage: scripts/incident/run.sh            (about 5.5 minutes)
# Environment: OUT (default testdata/incident), SEED (42), DURATION (300 s of
# traffic), RATE (3 visits/s), BASE_PORT (27180: gateway, +1 orders,
# +2 inventory, +3 db), PYTHON (/usr/bin/python3).
# Needs: go, node + npm, Debian's python3-structlog, curl, jq.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${OUT:-$repo/testdata/incident}
seed=${SEED:-42}
duration=${DURATION:-300}
rate=${RATE:-3}
base=${BASE_PORT:-27180}
python=${PYTHON:-/usr/bin/python3}

# Timeline, in seconds after the traffic starts.
at_regression=${REGRESSION_AT:-$((duration / 3))}          # orders 1.9.0
at_gateway=${GATEWAY_AT:-$((duration * 17 / 30))}          # gateway 2.4.1 (unrelated)
at_outage=${OUTAGE_AT:-$((duration * 13 / 20))}            # db killed
outage_for=${OUTAGE_FOR:-$((duration / 6))}                # db down this long

gw=127.0.0.1:$base
orders=127.0.0.1:$((base + 1))
inv=127.0.0.1:$((base + 2))
db=127.0.0.1:$((base + 3))

log() { printf '%s run.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 2; }

for tool in go node npm curl jq sha1sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
"$python" -c 'import structlog' 2>/dev/null ||
  die "$python cannot import structlog (apt-get install -y python3-structlog)"
for addr in "$gw" "$orders" "$inv" "$db"; do
  if curl -s -o /dev/null --max-time 1 "http://$addr/"; then die "$addr is already in use"; fi
done

log "building the Go services and the load generator"
bin=$here/bin
mkdir -p "$bin"
(
  cd "$here"
  go build -trimpath -ldflags "-X main.version=0.7.2" -o "$bin/db" ./db
  go build -trimpath -ldflags "-X main.version=1.8.3" -o "$bin/orders-1.8.3" ./orders
  go build -trimpath -tags loyalty -ldflags "-X main.version=1.9.0" -o "$bin/orders-1.9.0" ./orders
  go build -trimpath -o "$bin/loadgen" ./loadgen
  go build -trimpath -o "$bin/pickcases" ./pickcases
)
if [ ! -d "$here/gateway/node_modules" ]; then
  log "installing the gateway's packages"
  (cd "$here/gateway" && npm ci --no-audit --no-fund --loglevel=error)
fi

logs=$out/logs
mkdir -p "$logs"
rm -f "$logs"/*.jsonl "$out/deploys.json" "$out/deploys.csv" "$out/timeline.json" "$out/cases.json"
tmp=$(mktemp -d)
declare -A pid=()

cleanup() {
  local p
  for p in "${pid[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pid[@]}"; do wait "$p" 2>/dev/null || true; done
  for f in "$tmp"/*.err; do
    [ -s "$f" ] && { log "stderr of $(basename "$f" .err):"; head -20 "$f" >&2; }
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

# deploy SERVICE VERSION AUTHOR: record one entry of the deploy history.
deploys=()
deploy() {
  local commit
  commit=$(printf '%s@%s' "$1" "$2" | sha1sum | cut -c1-7)
  deploys+=("$(now),$1,$2,$commit,$3,production")
  log "deploy $1 $2 ($commit by $3)"
}

# wait_for URL [TEXT]: until URL answers 200 (with TEXT in the body), 30 s.
wait_for() {
  local i body
  for i in $(seq 300); do
    if body=$(curl -sf --max-time 1 "$1" 2>/dev/null) && [[ $body == *"${2:-}"* ]]; then return 0; fi
    sleep 0.1
  done
  die "$1 did not come up${2:+ with $2}"
}

start_db() {
  "$bin/db" -addr "$db" -seed "$seed" -recovery 5s >>"$logs/db.jsonl" 2>>"$tmp/db.err" &
  pid[db]=$!
}
start_orders() { # VERSION
  "$bin/orders-$1" -addr "$orders" -db "http://$db" -inventory "http://$inv" \
    >>"$logs/orders.jsonl" 2>>"$tmp/orders.err" &
  pid[orders]=$!
}
start_gateway() { # VERSION
  GATEWAY_VERSION=$1 GATEWAY_ADDR=$gw ORDERS_URL=http://$orders INVENTORY_URL=http://$inv \
    node "$here/gateway/server.js" >>"$logs/gateway.jsonl" 2>>"$tmp/gateway.err" &
  pid[gateway]=$!
}

log "starting the v1 services"
deploy inventory 3.2.0 "amira.haddad"
"$python" "$here/inventory/inventory.py" --addr "$inv" >>"$logs/inventory.jsonl" 2>>"$tmp/inventory.err" &
pid[inventory]=$!
wait_for "http://$inv/health"
deploy db 0.7.2 "platform-bot"
start_db
wait_for "http://$db/health"
deploy orders 1.8.3 "jonas.fischer"
start_orders 1.8.3
wait_for "http://$orders/healthz" 1.8.3
deploy gateway 2.4.0 "lena.dubois"
start_gateway 2.4.0
wait_for "http://$gw/healthz" 2.4.0
sleep 2

log "traffic: ${duration}s at $rate visits/s, seed $seed"
start_ns=$(date +%s%N)
traffic_start=$(now)
"$bin/loadgen" -target "http://$gw" -duration "${duration}s" -rate "$rate" -seed "$seed" >"$tmp/loadgen.out" 2>>"$tmp/loadgen.err" &
pid[loadgen]=$!

# sleep_until OFFSET: sleep until OFFSET seconds after the traffic started.
sleep_until() {
  local left=$(($1 * 1000000000 + start_ns - $(date +%s%N)))
  if [ "$left" -gt 0 ]; then sleep "$(printf '%d.%09d' $((left / 1000000000)) $((left % 1000000000)))"; fi
}

sleep_until "$at_regression"
# Rolling deploy: 1.9.0 starts on the same port (SO_REUSEPORT), then 1.8.3 drains.
deploy orders 1.9.0 "kaito.chen"
old=${pid[orders]}
start_orders 1.9.0
wait_for "http://$orders/healthz" 1.9.0
kill -TERM "$old"
wait "$old" || true

sleep_until "$at_gateway"
deploy gateway 2.4.1 "lena.dubois"
kill -TERM "${pid[gateway]}"
wait "${pid[gateway]}" || true
start_gateway 2.4.1
wait_for "http://$gw/healthz" 2.4.1

sleep_until "$at_outage"
log "outage: db killed for ${outage_for}s (not a deploy)"
outage_start=$(now)
kill -KILL "${pid[db]}"
wait "${pid[db]}" 2>/dev/null || true
unset 'pid[db]'
sleep_until $((at_outage + outage_for))
outage_end=$(now)
log "outage over: db restarting (it replays its log for 5s first)"
start_db

wait "${pid[loadgen]}"
unset 'pid[loadgen]'
traffic_end=$(now)
log "traffic done:"
cat "$tmp/loadgen.out" >&2

for s in gateway orders inventory db; do
  kill -TERM "${pid[$s]}"
  wait "${pid[$s]}" || true
  unset "pid[$s]"
done

log "writing the deploy history and the timeline"
{
  echo "time,service,version,commit,author,environment"
  printf '%s\n' "${deploys[@]}"
} >"$out/deploys.csv"
printf '%s\n' "${deploys[@]}" | jq -R -s 'split("\n") | map(select(length > 0) | split(",")
  | {time: .[0], service: .[1], version: .[2], commit: .[3], author: .[4], environment: .[5]})' >"$out/deploys.json"
jq -n --arg seed "$seed" --arg rate "$rate" --arg ts "$traffic_start" --arg te "$traffic_end" \
  --arg os "$outage_start" --arg oe "$outage_end" --slurpfile d "$out/deploys.json" \
  '{seed: ($seed | tonumber), rate_visits_per_second: ($rate | tonumber),
    traffic: {start: $ts, end: $te}, deploys: $d[0],
    outage: {service: "db", start: $os, end: $oe, note: "db killed (SIGKILL) and restarted; not a deploy"}}' \
  >"$out/timeline.json"

log "picking the investigation cases"
"$bin/pickcases" -dir "$out" >"$out/cases.json"
log "verifying"
"$here/verify.sh" "$out"
du -ch "$logs"/*.jsonl "$out"/deploys.* "$out"/*.json | tail -1 >&2
