#!/usr/bin/env bash
# run.sh regenerates testdata/incident2/ from six real processes on 127.0.0.1:
#
#   loadgen -> gateway (Node, winston)  -> checkout (Python, python-json-logger, clock 1.5 s behind)
#                 |                          |-> inventory (Go, zap) -> db (Go, logrus ECS)
#                 |                          |-> payments-0 / payments-1 (Java, log4j2 JsonLayout)
#                 |                          `-> db
#                 |-> inventory, payments (wallet), checkout (orders, coupons)
#
# The gateway accepts X-Request-ID (or makes a UUID) and starts a W3C trace;
# the five services behind it log only the trace context. A seeded load
# generator sends background traffic while, on a fixed timeline (offsets in
# seconds after the traffic starts, for the default DURATION=240):
#
#   +28   deploy payments 3.4.0 on payments-1 only (canary); its new settlement
#         code throws ArithmeticException for charges in USD, GBP and CHF
#   +67   deploy checkout 5.2.0 whose environment no longer sets
#         PROMO_RULES_PATH: POST /api/cart/coupon fails with KeyError
#   +86   helm upgrade inventory 2.8.0 fails (the new process cannot bind its
#         port); 2.7.1 keeps serving: a failed revision, nothing changed
#   +105  a bulk buyer adds 120 units to a cart: inventory's demand histogram
#         indexes out of range on a goroutine, the process dies (panic text on
#         stderr, captured into its log as a supervisor does) and is restarted
#         2 s later (RestartSec=2); callers see connection reset and refused
#   +134  db's maintenance job starts on the orders table: analyze passes hold
#         the table lock longer and longer (query durations grow) for 24 s,
#         then VACUUM FULL holds it for 24 s: checkout's 2 s db timeout fires
#   +148  deploy gateway 1.12.1 (Argo CD; unrelated, during the slowdown)
#   +204  payments-1 rolled back to 3.3.2 (the canary's errors stop)
#   +240  traffic stops
#
# Every action is appended to events.jsonl (deploys with their hosts, and the
# faults, which are never written to a deploy history). history.py then writes
# the deploy histories in the formats users have (helm history -o json, argocd
# app history -o json, CSV with a hosts column) and truth.py derives the
# ground truth and the cases from the logs and that record.
#
# Usage: scripts/incident2/run.sh            (about 4.5 minutes)
# Environment: OUT (default testdata/incident2), SEED (7), DURATION (240 s of
# traffic; the timeline scales with it), RATE (2.5 visits/s), BASE_PORT
# (27290: gateway, +1 checkout, +2 inventory, +3 db, +4 payments-0,
# +5 payments-1).
# Needs: go, node + npm, javac/java 17 with Debian's liblog4j2-java and
# libjackson2-databind-java, /usr/bin/python3 with python3-pythonjsonlogger,
# libfaketime, curl, jq.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${OUT:-$repo/testdata/incident2}
seed=${SEED:-7}
duration=${DURATION:-240}
rate=${RATE:-2.5}
base=${BASE_PORT:-27290}
python=/usr/bin/python3
faketime_lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
skew=-1.5 # checkout's clock, in seconds against the others

# Timeline, in seconds after the traffic starts.
at_canary=$((duration * 12 / 100))
at_config=$((duration * 28 / 100))
at_failed=$((duration * 36 / 100))
at_crash=$((duration * 44 / 100))
at_db=$((duration * 56 / 100))
analyze_for=$((duration * 10 / 100))
vacuum_for=$((duration * 10 / 100))
at_gateway=$((duration * 62 / 100))
at_rollback=$((duration * 85 / 100))

gw=127.0.0.1:$base
co=127.0.0.1:$((base + 1))
inv=127.0.0.1:$((base + 2))
db=127.0.0.1:$((base + 3))
pay0=127.0.0.1:$((base + 4))
pay1=127.0.0.1:$((base + 5))

log() { printf '%s run.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 2; }

for tool in go node npm java javac curl jq sha1sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ -e "$faketime_lib" ] || die "$faketime_lib is missing (apt-get install -y libfaketime)"
"$python" -c 'import pythonjsonlogger' 2>/dev/null ||
  die "$python cannot import pythonjsonlogger (apt-get install -y python3-pythonjsonlogger)"
jcp=""
for j in log4j-api log4j-core jackson-core jackson-databind jackson-annotations; do
  [ -e "/usr/share/java/$j.jar" ] || die "/usr/share/java/$j.jar is missing (apt-get install -y liblog4j2-java libjackson2-databind-java)"
  jcp=$jcp${jcp:+:}/usr/share/java/$j.jar
done
for addr in "$gw" "$co" "$inv" "$db" "$pay0" "$pay1"; do
  if curl -s -o /dev/null --max-time 1 "http://$addr/"; then die "$addr is already in use"; fi
done

log "building the services and the load generator"
bin=$here/bin
mkdir -p "$bin"
(
  cd "$here"
  go build -trimpath -ldflags "-X main.version=14.2.1" -o "$bin/db" ./db
  for v in 2.7.1 2.8.0; do go build -trimpath -ldflags "-X main.version=$v" -o "$bin/inventory-$v" ./inventory; done
  go build -trimpath -o "$bin/loadgen" ./loadgen
  for v in 3.3.2 3.4.0; do
    rm -rf "$bin/payments-$v"
    javac -nowarn -d "$bin/payments-$v" -cp "$jcp" payments/src/common/com/example/payments/*.java \
      "payments/src/v$v/com/example/payments/"*.java
  done
)
if [ ! -d "$here/gateway/node_modules" ]; then
  log "installing the gateway's packages"
  (cd "$here/gateway" && npm ci --no-audit --no-fund --loglevel=error)
fi

logs=$out/logs
mkdir -p "$logs" "$out/deploys"
rm -f "$logs"/*.log "$out"/deploys/* "$out/events.jsonl" "$out/truth.json" "$out/cases.json"
tmp=$(mktemp -d)
declare -A pid=()

cleanup() {
  local p
  touch "$tmp/stopping"
  for p in "${pid[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  if [ -s "$tmp/inventory.pid" ]; then kill -TERM "$(cat "$tmp/inventory.pid")" 2>/dev/null || true; fi
  for p in "${pid[@]}"; do wait "$p" 2>/dev/null || true; done
  for f in "$tmp"/*.err; do
    [ -s "$f" ] && { log "stderr of $(basename "$f" .err):"; head -20 "$f" >&2; }
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

now() { date -u +%Y-%m-%dT%H:%M:%S.%6NZ; }

# event JSON: append one action to the run's own record, stamped now.
event() { jq -c --arg t "$(now)" '{time: $t} + .' <<<"$1" >>"$out/events.jsonl"; }

# deploy SERVICE VERSION FORMAT HOSTS AUTHOR DESCRIPTION: record a deploy.
deploy() {
  local commit
  commit=$(printf '%s@%s' "$1" "$2" | sha1sum | cut -c1-7)
  event "$(jq -n --arg s "$1" --arg v "$2" --arg f "$3" --arg h "$4" --arg a "$5" --arg d "$6" --arg c "$commit" \
    '{kind: "deploy", service: $s, version: $v, history: $f, hosts: ($h | split(",")), author: $a, description: $d, commit: $c, status: "deployed"}')"
  log "deploy $1 $2 on $4 ($3)"
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

start_payments() { # HOST-INDEX VERSION ADDR
  java -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$bin/payments-$2:$jcp" \
    -Dlog4j2.configurationFile="$here/payments/log4j2.xml" -Dpayments.port="${3##*:}" \
    -Dpayments.host="payments-$1" -Dpayments.version="$2" com.example.payments.Main \
    >>"$logs/payments-$1.log" 2>>"$tmp/payments-$1.err" &
  pid[payments-$1]=$!
}

start_checkout() { # VERSION [PROMO_RULES_PATH]
  env ${2:+PROMO_RULES_PATH=$2} APP_VERSION="$1" HOSTNAME_OVERRIDE=checkout-0 \
    LD_PRELOAD="$faketime_lib" FAKETIME="$skew" \
    "$python" "$here/checkout/checkout.py" --addr "$co" --inventory "http://$inv" \
    --payments "http://$pay0,http://$pay1" --db "http://$db" \
    >>"$logs/checkout.log" 2>>"$tmp/checkout.err" &
  pid[checkout]=$!
}

start_gateway() { # VERSION
  GATEWAY_VERSION=$1 GATEWAY_HOST=gateway-0 GATEWAY_ADDR=$gw CHECKOUT_URL=http://$co INVENTORY_URL=http://$inv \
    PAYMENTS_URLS=http://$pay0,http://$pay1 node "$here/gateway/server.js" >>"$logs/gateway.log" 2>>"$tmp/gateway.err" &
  pid[gateway]=$!
}

# supervise_inventory: run inventory 2.7.1 and restart it 2 s after it exits,
# as systemd's Restart=on-failure RestartSec=2 would; its stdout and stderr
# both go to its log, as a container runtime's log does.
supervise_inventory() {
  local rc
  while :; do
    "$bin/inventory-2.7.1" -addr "$inv" -db "http://$db" -host inventory-0 >>"$logs/inventory.log" 2>&1 &
    echo $! >"$tmp/inventory.pid"
    rc=0
    wait $! || rc=$?
    [ -e "$tmp/stopping" ] && return 0
    event "$(jq -n --argjson rc "$rc" '{kind: "exit", service: "inventory", host: "inventory-0", exit_code: $rc, note: "process exited; supervisor restarts it in 2 s"}')"
    log "inventory exited with $rc; restarting in 2 s"
    sleep 2
    event '{"kind": "restart", "service": "inventory", "host": "inventory-0"}'
  done
}

log "starting the services"
deploy db 14.2.1 helm db-0 "platform-bot" "Install complete"
"$bin/db" -addr "$db" -host db-0 >>"$logs/db.log" 2>>"$tmp/db.err" &
pid[db]=$!
wait_for "http://$db/health"
deploy inventory 2.7.1 helm inventory-0 "amira.haddad" "Install complete"
supervise_inventory &
pid[inventory-supervisor]=$!
wait_for "http://$inv/health" 2.7.1
deploy payments 3.3.2 csv payments-0,payments-1 "jonas.fischer" "release 3.3.2"
start_payments 0 3.3.2 "$pay0"
start_payments 1 3.3.2 "$pay1"
wait_for "http://$pay0/health" 3.3.2
wait_for "http://$pay1/health" 3.3.2
deploy checkout 5.1.0 helm checkout-0 "kaito.chen" "Install complete"
start_checkout 5.1.0 "$here/checkout/promo-rules.json"
wait_for "http://$co/health" 5.1.0
deploy gateway 1.12.0 argocd gateway-0 "lena.dubois" "v1.12.0"
start_gateway 1.12.0
wait_for "http://$gw/healthz" 1.12.0
event "$(jq -n --arg s "$skew" '{kind: "clock-skew", service: "checkout", host: "checkout-0", offset_seconds: ($s | tonumber), how: "libfaketime FAKETIME offset on the process"}')"
sleep 2

log "traffic: ${duration}s at $rate visits/s, seed $seed"
start_ns=$(date +%s%N)
event "$(jq -n --argjson seed "$seed" --argjson rate "$rate" --argjson d "$duration" '{kind: "traffic-start", seed: $seed, rate: $rate, duration_seconds: $d}')"
"$bin/loadgen" -target "http://$gw" -duration "${duration}s" -rate "$rate" -seed "$seed" >"$tmp/loadgen.out" 2>>"$tmp/loadgen.err" &
pid[loadgen]=$!

# sleep_until OFFSET: sleep until OFFSET seconds after the traffic started.
sleep_until() {
  local left=$(($1 * 1000000000 + start_ns - $(date +%s%N)))
  if [ "$left" -gt 0 ]; then sleep "$(printf '%d.%09d' $((left / 1000000000)) $((left % 1000000000)))"; fi
}

sleep_until "$at_canary"
deploy payments 3.4.0 csv payments-1 "jonas.fischer" "canary 3.4.0: settle in EUR from the treasury rate feed"
kill -TERM "${pid[payments-1]}"
wait "${pid[payments-1]}" || true
start_payments 1 3.4.0 "$pay1"
wait_for "http://$pay1/health" 3.4.0

sleep_until "$at_config"
# Rolling: 5.2.0 starts on the same port (SO_REUSEPORT), then 5.1.0 stops.
deploy checkout 5.2.0 helm checkout-0 "kaito.chen" "Upgrade complete"
event '{"kind": "config-removed", "service": "checkout", "version": "5.2.0", "key": "PROMO_RULES_PATH", "note": "the 5.2.0 release values drop the env var"}'
old=${pid[checkout]}
start_checkout 5.2.0
wait_for "http://$co/health" 5.2.0
kill -TERM "$old"
wait "$old" || true

sleep_until "$at_failed"
log "helm upgrade inventory 2.8.0 (its process cannot bind the port: a failed revision)"
rc=0
"$bin/inventory-2.8.0" -addr "$inv" -db "http://$db" -host inventory-0 >>"$logs/inventory.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || die "inventory 2.8.0 was expected to fail to start"
event "$(jq -n --argjson rc "$rc" --arg c "$(printf 'inventory@2.8.0' | sha1sum | cut -c1-7)" \
  '{kind: "deploy", service: "inventory", version: "2.8.0", history: "helm", hosts: ["inventory-0"], author: "amira.haddad",
    description: "Upgrade \"inventory\" failed: new pod exited with code \($rc): bind: address already in use", commit: $c, status: "failed"}')"

sleep_until "$at_crash"
rid=$(cat /proc/sys/kernel/random/uuid)
log "a bulk buyer adds 120 units to a cart (request $rid)"
event "$(jq -n --arg r "$rid" '{kind: "crash-trigger", service: "inventory", request_id: $r, user: "u-2001", route: "POST /api/cart/items", body: {sku: "SKU-1014", qty: 120}}')"
curl -s -o /dev/null --max-time 10 -X POST "http://$gw/api/cart/items" -H "X-Request-ID: $rid" -H 'X-User-ID: u-2001' \
  -H 'Content-Type: application/json' -d '{"sku":"SKU-1014","qty":120}' || true

sleep_until "$at_db"
log "db maintenance on orders: analyze ${analyze_for}s, then VACUUM FULL ${vacuum_for}s"
event "$(jq -n --argjson a "$analyze_for" --argjson v "$vacuum_for" '{kind: "db-maintenance", service: "db", table: "orders", analyze_seconds: $a, vacuum_seconds: $v}')"
curl -sf -o /dev/null -X POST "http://$db/admin/maintenance" -d "{\"table\":\"orders\",\"analyze_seconds\":$analyze_for,\"vacuum_seconds\":$vacuum_for}"

sleep_until "$at_gateway"
deploy gateway 1.12.1 argocd gateway-0 "lena.dubois" "v1.12.1"
kill -TERM "${pid[gateway]}"
wait "${pid[gateway]}" || true
start_gateway 1.12.1
wait_for "http://$gw/healthz" 1.12.1

sleep_until "$at_rollback"
deploy payments 3.3.2 csv payments-1 "jonas.fischer" "rollback of the 3.4.0 canary"
kill -TERM "${pid[payments-1]}"
wait "${pid[payments-1]}" || true
start_payments 1 3.3.2 "$pay1"
wait_for "http://$pay1/health" 3.3.2

wait "${pid[loadgen]}"
unset 'pid[loadgen]'
event '{"kind": "traffic-end"}'
log "traffic done:"
cat "$tmp/loadgen.out" >&2

touch "$tmp/stopping"
kill -TERM "$(cat "$tmp/inventory.pid")"
wait "${pid[inventory-supervisor]}" || true
unset 'pid[inventory-supervisor]'
for s in gateway checkout payments-0 payments-1 db; do
  kill -TERM "${pid[$s]}"
  wait "${pid[$s]}" || true
  unset "pid[$s]"
done

log "writing the deploy histories, the ground truth and the cases"
"$python" "$here/history.py" "$out"
"$python" "$here/truth.py" "$out"
du -ch "$logs"/*.log "$out"/deploys/* "$out"/*.json* | tail -1 >&2
