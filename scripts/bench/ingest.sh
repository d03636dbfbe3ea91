#!/usr/bin/env bash
# ingest.sh [LINES] — time `culprit ingest` of a generated corpus.
#
# Builds culprit, generates (or reuses) a LINES-line corpus (default
# 1,000,000), then runs
#   culprit ingest --index IDX --deploys D/deploys.json D/logs/
# RUNS times (default 3) into a fresh index each time, and reports the median
# wall time, lines/s, CPU time (user+sys) per line, peak RSS (/usr/bin/time
# %M) and index size / input size. On a shared machine wall time says little:
# lines / (CPU-s / cores) is the rate the cores could reach if the run kept
# them all busy (a bound, not a measurement).
# The index of the last run is kept at $WORK/idx-LINES for query.sh.
#
# Environment: RUNS, WORK, SEED, BIN (see lib.sh).
# Output: a summary on stdout, $WORK/results/ingest-LINES.json, and each
# run's culprit output in $WORK/results/ingest-LINES.run-N.out.
source "$(dirname "$0")/lib.sh"

LINES=${1:-1000000}
RUNS=${RUNS:-3}
[[ $LINES =~ ^[0-9]+$ && $LINES -gt 0 ]] || die "LINES must be a positive integer, not '$LINES'"
[[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || die "RUNS must be a positive integer, not '$RUNS'"
need jq /usr/bin/time du

build_culprit
D=$(corpus "$LINES")
IDX="$WORK/idx-$LINES"
OUT="$WORK/results/ingest-$LINES"
input_bytes=$(du -sb "$D/logs" | cut -f1)
input_lines=$(cat "$D"/logs/*.jsonl | wc -l)

walls=() rss=() sizes=() cpus=()
for i in $(seq 1 "$RUNS"); do
  rm -rf "$IDX"
  sync
  log "run $i/$RUNS: $BIN ingest --index $IDX --deploys $D/deploys.json $D/logs/"
  if ! /usr/bin/time -f '%e %M %U %S' -o "$OUT.time" \
      "$BIN" ingest --index "$IDX" --deploys "$D/deploys.json" "$D/logs/" >"$OUT.run-$i.out" 2>&1; then
    tail -20 "$OUT.run-$i.out" >&2
    die "ingest failed (run $i); output in $OUT.run-$i.out"
  fi
  read -r wall kb user sys <"$OUT.time"
  cpu=$(jq -n "$user + $sys")
  size=$(du -sb "$IDX" | cut -f1)
  log "  wall ${wall}s, CPU ${cpu}s, peak RSS $((kb / 1024)) MiB, index $((size / 1048576)) MiB"
  walls+=("$wall") rss+=("$kb") sizes+=("$size") cpus+=("$cpu")
done

wall=$(printf '%s\n' "${walls[@]}" | median)
cpu=$(printf '%s\n' "${cpus[@]}" | median)
cores=$(nproc)
kb=$(printf '%s\n' "${rss[@]}" | median)
kb_max=$(printf '%s\n' "${rss[@]}" | sort -g | tail -1)
size=$(printf '%s\n' "${sizes[@]}" | median)

jq -n --argjson lines "$input_lines" --argjson input_bytes "$input_bytes" \
  --argjson wall "$wall" --argjson cpu "$cpu" --argjson cores "$cores" --argjson kb "$kb" --argjson kb_max "$kb_max" --argjson size "$size" \
  --argjson runs "$RUNS" --arg date "$(date -u +%FT%TZ)" --arg corpus "$D" \
  --argjson walls "$(printf '%s\n' "${walls[@]}" | jq -s .)" '{
    date: $date, corpus: $corpus, runs: $runs, lines: $lines, input_bytes: $input_bytes,
    wall_seconds_median: $wall, wall_seconds: $walls,
    lines_per_second: ($lines / $wall | floor),
    cpu_seconds_median: $cpu, cpu_us_per_line: ($cpu / $lines * 1e7 | round / 10),
    cores: $cores, lines_per_second_bound: ($lines / ($cpu / $cores) | floor),
    peak_rss_mib_median: ($kb / 1024 | floor), peak_rss_mib_max: ($kb_max / 1024 | floor),
    index_bytes: $size, index_to_input: (($size / $input_bytes * 100 | round) / 100)
  }' | tee "$OUT.json" | jq -r '
  "ingest of \(.lines) lines (\(.input_bytes / 1048576 | floor) MiB), median of \(.runs) runs:",
  "  wall        \(.wall_seconds_median) s   (runs: \(.wall_seconds | map(tostring) | join(", ")))",
  "  throughput  \(.lines_per_second) lines/s      (target >= 150000)",
  "  CPU         \(.cpu_seconds_median) s = \(.cpu_us_per_line) us/line; bound with \(.cores) cores busy: \(.lines_per_second_bound) lines/s",
  "  peak RSS    \(.peak_rss_mib_median) MiB (max \(.peak_rss_mib_max))  (target <= 1024)",
  "  index       \(.index_bytes / 1048576 | floor) MiB = \(.index_to_input)x input  (target <= 1.0)"'
log "summary: $OUT.json; index kept at $IDX"
