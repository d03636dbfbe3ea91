#!/usr/bin/env bash
# query.sh — time culprit's questions on an ingested corpus against the same
# questions answered by ripgrep, jq and lnav on the same files, in the same
# run.
#
#   request  culprit request ID --json      rg -z -F ID D/logs/
#                                           jq -c --arg id ID -f request.jq D/logs/*.jsonl
#                                           lnav -n -c ':filter-in ID' FILE   (per file)
#   errors   culprit errors --json          jq -n -f errors.jq D/logs/*.jsonl  (group by message)
#   search   culprit search 'stack:WORD' --limit 50 --json
#                                           rg -z -i -w WORD D/logs/    (and | head -n 50)
#
# Fast commands (culprit, rg) run with hyperfine --warmup $WARMUP --runs $RUNS
# (2 and 10); the slow peers (jq, lnav: seconds per run) in a second
# hyperfine that also times culprit, with --warmup 1 --runs $SLOW_RUNS
# (default 3). Ratios are peer median / culprit median within one hyperfine
# run. lnav opens JSON lines that match none of its formats as plain text, one
# file per view, so it is run once per file.
#
# PEERS_ONLY=1 times the peers alone (no culprit binary or index needed).
#
# Environment: LINES (default 1000000), INDEX (default $WORK/idx-LINES, made
# by ingest.sh; ingested once here if missing), IDS (space-separated request
# ids; default three failing requests from the corpus's truth.json), WORD
# (default ApplyDiscounts, a function that only appears in Go panics), RUNS,
# WARMUP, SLOW_RUNS, plus WORK, SEED, BIN (see lib.sh).
# Output: hyperfine JSON and markdown per group and summary.md under
# $WORK/results/query-<date>/ (also $WORK/results/query-latest).
source "$(dirname "$0")/lib.sh"

LINES=${LINES:-1000000}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
SLOW_RUNS=${SLOW_RUNS:-3}
PEERS_ONLY=${PEERS_ONLY:-0}
WORD=${WORD:-ApplyDiscounts}
need hyperfine rg jq lnav
[[ $WORD =~ ^[A-Za-z0-9_]+$ ]] || die "WORD must be a single word, not '$WORD'"

HERE=$(cd "$(dirname "$0")" && pwd)
D=$(corpus "$LINES")
if [ "$PEERS_ONLY" != 1 ]; then
  build_culprit
  IDX=${INDEX:-$WORK/idx-$LINES}
  if [ ! -d "$IDX" ]; then
    log "no index at $IDX: ingesting $D once (time it with ingest.sh)"
    "$BIN" ingest --index "$IDX" --deploys "$D/deploys.json" "$D/logs/" >&2 || die "ingest failed"
  fi
  export CULPRIT_INDEX=$IDX
fi

if [ -n "${IDS:-}" ]; then
  read -r -a ids <<<"$IDS"
else
  # A Go panic, a Python traceback and a Java exception, each a typical
  # (not the first) occurrence of its bug.
  mapfile -t ids < <(jq -r '.bugs[]
    | select(.name == "orders-discount-index-out-of-range" or .name == "inventory-keyerror-warehouse" or .name == "users-refresh-classcast")
    | .sample_request_ids[-1] // empty' "$D/truth.json")
fi
[ ${#ids[@]} -gt 0 ] || die "no request ids to query"

R="$WORK/results/query-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$R" "$WORK/lnav-home"
ln -sfn "$R" "$WORK/results/query-latest"
{ echo "corpus: $D"; echo "index: ${IDX:-none}"; echo "date: $(date -u +%FT%TZ)"; machine; } >"$R/env.txt"

# Sanity first: a fast wrong answer is not a result.
for id in "${ids[@]}"; do
  want=$( (rg -z -c -F "$id" "$D/logs/" || true) | awk -F: '{s += $NF} END {print s + 0}')
  [ "$PEERS_ONLY" = 1 ] && { log "request $id: rg finds $want lines"; continue; }
  got=$("$BIN" request "$id" --json | jq '.events | length') || die "culprit request $id failed"
  cause=$("$BIN" request "$id" --json | jq -r '.verdict.cause // "none"')
  log "request $id: culprit $got events (rg: $want lines), verdict $cause"
  [ "$got" = "$want" ] || log "WARNING: culprit and rg disagree on request $id"
done
log "search stack:$WORD: rg finds $( (rg -z -i -w -c "$WORD" "$D/logs/" || true) | awk -F: '{s += $NF} END {print s + 0}') lines"
if [ "$PEERS_ONLY" != 1 ]; then
  "$BIN" errors --json >"$R/errors.culprit.json" || die "culprit errors failed"
  "$BIN" search "stack:$WORD" --limit 50 --json >"$R/search.culprit.json" || die "culprit search stack:$WORD found nothing"
fi

q() { printf '%q' "$1"; } # shell-quote for hyperfine's shell

# bench NAME RUNS WARMUP [LABEL CMD]... — culprit's commands are left out
# under PEERS_ONLY=1.
bench() {
  local name=$1 runs=$2 warmup=$3 args=()
  shift 3
  while [ $# -gt 0 ]; do
    [[ $PEERS_ONLY = 1 && $1 = culprit:* ]] || args+=(-n "$1" "$2")
    shift 2
  done
  [ ${#args[@]} -gt 0 ] || return 0
  log "== $name"
  hyperfine --style basic --warmup "$warmup" --runs "$runs" \
    --export-json "$R/$name.json" --export-markdown "$R/$name.md" "${args[@]}" >&2
}

fast=()
for id in "${ids[@]}"; do
  s=${id:0:8}
  fast+=("culprit: request $s" "$(q "$BIN") request $id --json"
         "rg: request $s" "rg -z -F $id $(q "$D/logs/")")
done
bench request "$RUNS" "$WARMUP" "${fast[@]}"

id=${ids[0]} s=${ids[0]:0:8}
lnav_cmd="for f in $(q "$D/logs")/*.jsonl; do HOME=$(q "$WORK/lnav-home") lnav -n -c ':filter-in $id' \"\$f\"; done"
bench request-slow "$SLOW_RUNS" 1 \
  "culprit: request $s" "$(q "$BIN") request $id --json" \
  "jq: request $s" "jq -c --arg id $id -f $(q "$HERE/request.jq") $(q "$D/logs")/*.jsonl" \
  "lnav: request $s" "$lnav_cmd"

bench errors "$RUNS" "$WARMUP" "culprit: errors" "$(q "$BIN") errors --json"
bench errors-slow "$SLOW_RUNS" 1 \
  "culprit: errors" "$(q "$BIN") errors --json" \
  "jq: errors" "jq -n -c -f $(q "$HERE/errors.jq") $(q "$D/logs")/*.jsonl"

bench search "$RUNS" "$WARMUP" \
  "culprit: search" "$(q "$BIN") search 'stack:$WORD' --limit 50 --json" \
  "rg: search" "rg -z -i -w $WORD $(q "$D/logs/")" \
  "rg, first 50: search" "rg -z -i -w $WORD $(q "$D/logs/") | head -n 50"

if [ "$PEERS_ONLY" = 1 ]; then
  {
    echo "| peer command | median | mean ± σ | min | max | runs |"
    echo "|---|---:|---:|---:|---:|---:|"
    jq -r '.results[] | "| \(.command) | \(.median * 1000 | round) ms | \(.mean * 1000 | round) ± \((.stddev // 0) * 1000 | round) ms | \(.min * 1000 | round) ms | \(.max * 1000 | round) ms | \(.times | length) |"' \
      "$R/request.json" "$R/request-slow.json" "$R/errors-slow.json" "$R/search.json"
  } >"$R/summary.md"
  cat "$R/summary.md"
  log "results in $R"
  exit 0
fi

# Ratios: every peer against culprit on the same question in the same file.
jq -r -s '
  ["| question | culprit median | peer | peer median | peer / culprit | runs |", "|---|---:|---|---:|---:|---:|"],
  (.[] | .results as $r
   | $r[] | select(.command | startswith("culprit: ")) as $c
   | ($c.command | sub("^culprit: "; "")) as $qn
   | $r[] | select((.command | startswith("culprit: ") | not) and (.command | endswith(": " + $qn)))
   | "| \($qn) | \($c.median * 1000 | round) ms | \(.command | sub(": .*$"; "")) | \(.median * 1000 | round) ms | \((.median / $c.median * 100 | round) / 100)x | \(.times | length) |")
  | if type == "array" then .[] else . end' \
  "$R/request.json" "$R/request-slow.json" "$R/errors-slow.json" "$R/search.json" >"$R/summary.md"
{
  echo
  echo "| culprit command | median | mean ± σ | min | max | runs |"
  echo "|---|---:|---:|---:|---:|---:|"
  jq -r '.results[] | select(.command | startswith("culprit: "))
    | "| \(.command | sub("^culprit: "; "")) | \(.median * 1000 | round) ms | \(.mean * 1000 | round) ± \((.stddev // 0) * 1000 | round) ms | \(.min * 1000 | round) ms | \(.max * 1000 | round) ms | \(.times | length) |"' \
    "$R/request.json" "$R/errors.json" "$R/search.json"
  echo
  echo "targets: request <= 100 ms, errors <= 1 s, search <= 200 ms (medians)"
} >>"$R/summary.md"
cat "$R/summary.md"
log "results in $R"
