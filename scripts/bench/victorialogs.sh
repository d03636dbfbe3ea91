#!/usr/bin/env bash
# victorialogs.sh — ingest the same generated corpus into culprit's local
# index and into a VictoriaLogs single node started here, then time request,
# errors and search on both in the same run (scripts/bench/vlbench), and
# check that both answer the same bytes.
#
# Environment: LINES (default 1000000), RUNS (default 10), IDS (default three
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
VL_PID=
cleanup() {
  [ -n "$VL_PID" ] && kill "$VL_PID" 2>/dev/null && wait "$VL_PID" 2>/dev/null
  rm -rf "$RUN"
}
trap cleanup EXIT

"$VL_BIN" -httpListenAddr=127.0.0.1:0 -storageDataPath="$RUN/vl" -retentionPeriod=100y -futureRetention=100y \
  -insert.maxLineSizeBytes=16MiB >"$RUN/vl.log" 2>&1 &
VL_PID=$!
addr=
for _ in $(seq 300); do # the server prints its address within a second or two
  addr=$(sed -n 's|.*started server at http://\(127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$RUN/vl.log" | head -1)
  [ -n "$addr" ] && break
  kill -0 "$VL_PID" 2>/dev/null || die "victoria-logs exited: $(tail -5 "$RUN/vl.log")"
  sleep 0.1
done
[ -n "$addr" ] || die "victoria-logs printed no address"
log "victoria-logs at $addr, corpus $D"

OUT=$WORK/results/victorialogs-$(date -u +%Y%m%dT%H%M%SZ).md
{
  echo "## culprit on VictoriaLogs vs the local index, $LINES lines, $RUNS runs each"
  echo
  machine
  echo
  (cd "$ROOT" && go run ./scripts/bench/vlbench -corpus "$D" -store "victorialogs://$addr" -index "$RUN/idx" \
    -runs "$RUNS" -ids "${ids[*]}" -word "$WORD")
} | tee "$OUT"
