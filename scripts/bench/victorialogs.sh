#!/usr/bin/env bash
# victorialogs.sh — culprit on VictoriaLogs next to culprit on its local
# index, same corpus, same run, as a user runs it: the culprit binary, with
# --store for VictoriaLogs.
#
# 1. Ingest the corpus into a local index and into VictoriaLogs started here
#    (a single node, or with NODES=N, N storage nodes behind a frontend):
#    wall time, culprit's CPU (user+sys) and the servers' CPU. The size on
#    disk of both is taken at the end, once VictoriaLogs has written out and
#    merged what it held in memory.
# 2. Ask, RUNS rounds, each round every store once in turn:
#      request ID --json, errors --limit 50 --json, errors --json,
#      search 'stack:WORD' --limit 50 --json, status --json
#    and report per question and store the median wall time, the median CPU
#    of the culprit process (user+sys) and, for VictoriaLogs, the median CPU
#    the servers spent meanwhile; "same" says whether VictoriaLogs printed the
#    same bytes as the index (status differs by design: it names the store).
#    With BASE, an older culprit binary is asked too, on the same
#    VictoriaLogs store, alternating with BIN: before and after in one run.
#
# Environment:
#   CORPUS  a corpus directory from scripts/gen (logs/, deploys.json,
#           truth.json, ids.txt); default: generated with LINES and SEED
#   LINES   corpus size when CORPUS is not given (default 1000000)
#   NODES   0 (default): a single node; N: N storage nodes and a frontend
#   RUNS    rounds of questions (default 5)
#   BIN     the culprit binary under test (default: built, see lib.sh)
#   BASE    an older culprit binary to time on VictoriaLogs as well
#   INDEX   a local index of the corpus to reuse; default: ingested into a
#           scratch directory and timed
#   DATA    a directory for VictoriaLogs' data that outlives the run: the
#           first run ingests into it, later runs with the same DATA and
#           NODES reuse it (and repeat the first run's ingest figures)
#   ID      the request to investigate (default: the first id of ids.txt
#           that truth.json lists as a failing request)
#   WORD    the search word (default ApplyDiscounts)
#   VL_BIN  victoria-logs (default: from $GOBIN, $GOPATH/bin or $PATH;
#           CGO_ENABLED=0 go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.1)
#   WORK, SEED (see lib.sh)
# Output: a markdown report on stdout, also saved as
# $WORK/results/victorialogs-<date>.md.
source "$(dirname "$0")/lib.sh"

LINES=${LINES:-1000000}
RUNS=${RUNS:-5}
NODES=${NODES:-0}
WORD=${WORD:-ApplyDiscounts}
need jq /usr/bin/time
build_culprit
[ -z "${BASE:-}" ] || [ -x "$BASE" ] || die "BASE=$BASE is not executable"

VL_BIN=${VL_BIN:-}
if [ -z "$VL_BIN" ]; then
  for d in "$(go env GOBIN)" $(go env GOPATH | tr ':' ' ' | sed 's|$|/bin|'); do
    [ -n "$d" ] && [ -x "$d/victoria-logs" ] && { VL_BIN=$d/victoria-logs; break; }
  done
  [ -n "$VL_BIN" ] || VL_BIN=$(command -v victoria-logs || true)
fi
[ -x "$VL_BIN" ] || die "victoria-logs not found: CGO_ENABLED=0 go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.1"

D=${CORPUS:-$(corpus "$LINES")}
[ -d "$D/logs" ] && [ -s "$D/truth.json" ] || die "$D is not a corpus (logs/, truth.json)"
if [ -z "${ID:-}" ]; then
  ID=$(jq -r '.bugs[].sample_request_ids[]?' "$D/truth.json" | grep -F -x -f - "$D/ids.txt" | head -1 || true)
  [ -n "$ID" ] || die "no failing request of truth.json in $D/ids.txt: give ID"
fi

RUN=$(mktemp -d "$WORK/vl-run.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$RUN"
}
trap cleanup EXIT

DATA=${DATA:-$RUN/vl}
mkdir -p "$DATA"

# start_vl NAME FLAGS... starts a server with its data in $DATA/NAME and
# sets ADDR once it has logged its address. It runs in this shell, not in a
# $(…) subshell, so that cleanup knows every pid.
start_vl() {
  local name=$1 addr=
  shift
  "$VL_BIN" -httpListenAddr=127.0.0.1:0 -storageDataPath="$DATA/$name" -retentionPeriod=100y -futureRetention=100y \
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

# server_cpu prints the CPU seconds (user+sys) the servers have used so far.
TICK=$(getconf CLK_TCK)
server_cpu() {
  local t=0 p
  for p in "${PIDS[@]}"; do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  awk -v t="$t" -v hz="$TICK" 'BEGIN {printf "%.2f\n", t / hz}'
}

if [ "$NODES" -gt 0 ]; then
  nodes=()
  for i in $(seq "$NODES"); do
    start_vl "storage$i"
    nodes+=("$ADDR")
  done
  start_vl frontend -storageNode="$(IFS=,; echo "${nodes[*]}")"
  SETUP="a cluster: $NODES storage nodes behind a frontend, all on this machine"
else
  start_vl single
  SETUP="a single node"
fi
STORE=victorialogs://$ADDR
log "victoria-logs ($SETUP) at $ADDR, data in $DATA, corpus $D"

# timed OUT CMD... runs CMD with stdout to OUT and sets W and C to its wall
# time and CPU (user+sys) in seconds. Exit 1 (nothing found) is an answer
# too.
timed() {
  local out=$1 rc=0
  shift
  /usr/bin/time -f "%e %U %S" -o "$RUN/time" "$@" >"$out" 2>"$RUN/stderr" || rc=$?
  [ "$rc" -le 1 ] || die "$* exited $rc: $(tail -3 "$RUN/stderr")"
  read -r W C < <(tail -1 "$RUN/time" | awk '{printf "%s %.2f\n", $1, $2 + $3}')
}

lines=$(cat "$D"/logs/* | wc -l)
ingest_row() { # NAME WALL CPU SERVERCPU
  awk -v n="$1" -v w="$2" -v c="$3" -v s="$4" -v l="$lines" \
    'BEGIN {printf "| %s | %.1f s | %.0f | %.1f s | %s |\n", n, w, l / w, c, s}'
}

OUT=$WORK/results/victorialogs-$(date -u +%Y%m%dT%H%M%SZ).md
{
  echo "## culprit on VictoriaLogs ($SETUP) and on the local index, $(date -u +%Y-%m-%d)"
  echo
  echo "Corpus $D ($lines lines), request $ID, $RUNS rounds."
  echo
  machine
  echo "- culprit: $BIN${BASE:+ (before: $BASE)}; victoria-logs $(go version -m "$VL_BIN" | awk '$1 == "mod" {print $3}')"
  echo
  echo "| ingest into | wall | lines/s | culprit CPU | servers' CPU |"
  echo "|---|---|---|---|---|"

  if [ -n "${INDEX:-}" ] && [ -d "$INDEX" ]; then
    IDX=$INDEX
    echo "| local index (reused, not timed here) | | | | |"
  else
    IDX=${INDEX:-$RUN/idx}
    timed "$RUN/ingest.out" "$BIN" --index "$IDX" ingest --deploys "$D/deploys.json" "$D/logs/"
    ingest_row "local index" "$W" "$C" "—"
  fi

  mark=$DATA/ingested-nodes$NODES.md
  if [ -s "$mark" ]; then
    echo "$(cat "$mark") (ingested by an earlier run into $DATA)"
  else
    s0=$(server_cpu)
    timed "$RUN/ingest.out" "$BIN" --store "$STORE" ingest --deploys "$D/deploys.json" "$D/logs/"
    s1=$(server_cpu)
    ingest_row "VictoriaLogs" "$W" "$C" "$(awk -v a="$s0" -v b="$s1" 'BEGIN {printf "%.1f s", b - a}')" | tee "$mark"
  fi
  echo

  # The questions, as argument lists.
  qs=(
    "request $ID --json"
    "errors --limit 50 --json"
    "errors --json"
    "search stack:$WORD --limit 50 --json"
    "status --json"
  )
  targets=("index" "victorialogs")
  [ -z "${BASE:-}" ] || targets+=("victorialogs, before")
  cmd() { # TARGET → the culprit command line prefix
    case $1 in
      index) echo "$BIN --index $IDX" ;;
      victorialogs) echo "$BIN --store $STORE" ;;
      *) echo "$BASE --store $STORE" ;;
    esac
  }

  # Per store: wall, culprit's CPU, and (VictoriaLogs) the servers' CPU.
  printf '| question |'
  for t in "${targets[@]}"; do
    printf ' %s wall | culprit CPU |' "$t"
    [ "$t" = index ] || printf ' servers CPU |'
  done
  printf ' same answer |\n|---|'
  for t in "${targets[@]}"; do
    printf -- '---|---|'
    [ "$t" = index ] || printf -- '---|'
  done
  printf -- '---|\n'
  for qi in "${!qs[@]}"; do
    read -r -a args <<<"${qs[$qi]}"
    for ti in "${!targets[@]}"; do : >"$RUN/w$ti"; : >"$RUN/c$ti"; : >"$RUN/s$ti"; done
    for _ in $(seq "$RUNS"); do
      for ti in "${!targets[@]}"; do
        read -r -a pre <<<"$(cmd "${targets[$ti]}")"
        s0=$(server_cpu)
        timed "$RUN/out$ti" "${pre[@]}" "${args[@]}"
        s1=$(server_cpu)
        echo "$W" >>"$RUN/w$ti"
        echo "$C" >>"$RUN/c$ti"
        awk -v a="$s0" -v b="$s1" 'BEGIN {print b - a}' >>"$RUN/s$ti"
      done
    done
    same=no
    cmp -s "$RUN/out0" "$RUN/out1" && same=yes
    [ "${args[0]}" != status ] || same="n/a"
    printf '| `%s` |' "${qs[$qi]}"
    for ti in "${!targets[@]}"; do
      printf ' %s s | %s s |' "$(median <"$RUN/w$ti")" "$(median <"$RUN/c$ti")"
      [ "${targets[$ti]}" = index ] || printf ' %s s |' "$(median <"$RUN/s$ti")"
    done
    printf ' %s |\n' "$same"
  done
  echo
  echo "Size on disk at the end: local index $(du -sh "$IDX" | cut -f1), VictoriaLogs $(du -sh "$DATA" | cut -f1) (all nodes)."
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$OUT"
