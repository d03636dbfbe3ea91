#!/usr/bin/env bash
# victorialogs.sh — ingest the same generated corpus into culprit's local
# index and into VictoriaLogs started here (a single node, or with NODES=N a
# cluster: N storage nodes behind a frontend), then time request,
# errors and search on both in the same run (scripts/bench/vlbench), and
# check that both answer the same bytes.
#
# Environment: LINES (default 1000000), RUNS (default 10), NODES (default 0:
# a single node), IDS (default three
# failing requests from the corpus's truth.json, as query.sh picks them),
# WORD (default ApplyDiscounts), VL_BIN (default: victoria-logs from
# $GOBIN, $GOPATH/bin or $PATH; install it with
#   CGO_ENABLED=0 go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.1),
# plus WORK, SEED (see lib.sh).
# Output: a markdown table on stdout, also saved under
# $WORK/results/victorialogs-<date>.md.
source "$(dirname "$0")/lib.sh"

LINES=${LINES:-1000000}
RUNS=${RUNS:-10}
WORD=${WORD:-ApplyDiscounts}
need jq

VL_BIN=${VL_BIN:-}
if [ -z "$VL_BIN" ]; then
  for d in "$(go env GOBIN)" $(go env GOPATH | tr ':' ' ' | sed 's|$|/bin|'); do
    [ -n "$d" ] && [ -x "$d/victoria-logs" ] && { VL_BIN=$d/victoria-logs; break; }
  done
  [ -n "$VL_BIN" ] || VL_BIN=$(command -v victoria-logs || true)
fi
[ -x "$VL_BIN" ] || die "victoria-logs not found: CGO_ENABLED=0 go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.1"

D=$(corpus "$LINES")
if [ -n "${IDS:-}" ]; then
  read -r -a ids <<<"$IDS"
else
  mapfile -t ids < <(jq -r '.bugs[]
    | select(.name == "orders-discount-index-out-of-range" or .name == "inventory-keyerror-warehouse" or .name == "users-refresh-classcast")
    | .sample_request_ids[-1] // empty' "$D/truth.json")
fi

RUN=$(mktemp -d "$WORK/vl-run.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$RUN"
}
trap cleanup EXIT

# start_vl NAME FLAGS... starts a server and sets ADDR to its address once
# it has logged it (it does within a second or two). It runs in this shell,
# not in a $(…) subshell, so that cleanup knows every pid.
start_vl() {
  local name=$1 addr=
  shift
  "$VL_BIN" -httpListenAddr=127.0.0.1:0 -storageDataPath="$RUN/$name" -retentionPeriod=100y -futureRetention=100y \
    -insert.maxLineSizeBytes=16MiB "$@" >"$RUN/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do
    addr=$(sed -n 's|.*started server at http://\(127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$RUN/$name.log" | head -1)
    [ -n "$addr" ] && break
    kill -0 "${PIDS[-1]}" 2>/dev/null || die "victoria-logs $name exited: $(tail -5 "$RUN/$name.log")"
    sleep 0.1
  done
  [ -n "$addr" ] || die "victoria-logs $name printed no address"
  ADDR=$addr
}

NODES=${NODES:-0}
if [ "$NODES" -gt 0 ]; then
  nodes=()
  for i in $(seq "$NODES"); do
    start_vl "storage$i"
    nodes+=("$ADDR")
  done
  start_vl frontend -storageNode="$(IFS=,; echo "${nodes[*]}")"
  addr=$ADDR
  SETUP="a cluster of $NODES storage nodes behind a frontend"
else
  start_vl single
  addr=$ADDR
  SETUP="a single node"
fi
log "victoria-logs ($SETUP) at $addr, corpus $D"

OUT=$WORK/results/victorialogs-$(date -u +%Y%m%dT%H%M%SZ).md
{
  echo "## culprit on VictoriaLogs ($SETUP) vs the local index, $LINES lines, $RUNS runs each"
  echo
  machine
  echo
  (cd "$ROOT" && go run ./scripts/bench/vlbench -corpus "$D" -store "victorialogs://$addr" -index "$RUN/idx" \
    -runs "$RUNS" -ids "${ids[*]}" -word "$WORD")
} | tee "$OUT"
