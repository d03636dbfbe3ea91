#!/usr/bin/env bash
# facets.sh — time explore's questions with no query (the facets of its
# seven fields and the 100-bar histogram, over every event and over the
# time ranges back from the newest event) with one or more builds of
# scripts/bench/facets, each on its own index, alternating the builds run
# by run so that a shared machine's load falls on all of them alike; then
# check that every build gives the same facets.
#
#   go build -o /tmp/facets-new ./scripts/bench/facets    # and the same from another tree
#   BINS="old:/tmp/facets-old:/tmp/idx-old new:/tmp/facets-new:/tmp/idx-new" \
#     RUNS=5 RANGES="all 24h 6h 1h 15m" scripts/bench/facets.sh
#
# Each run is one process (open, facets, histogram) under /usr/bin/time;
# it prints per build and range the median of the facets call's own time
# (in process), the median wall and CPU (user+sys) time of the process and
# the largest RSS.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-5}
RANGES=${RANGES:-all 24h 6h 1h 15m}
[ -n "${BINS:-}" ] || die "set BINS"
T=$(mktemp -d)
for r in $(seq "$RUNS"); do
  for b in $BINS; do
    IFS=: read -r label bin idx <<<"$b"
    for rg in $RANGES; do
      /usr/bin/time -f "%e %U %S %M" -o "$T/t" "$bin" -index "$idx" -range "$rg" >"$T/out" 2>"$T/err" || die "$label: $bin -range $rg failed: $(cat "$T/err")"
      ms=$(sed -n 's/.*facets \[\([0-9]*\)\] ms.*/\1/p' "$T/out")
      echo "$ms $(cat "$T/t")" >>"$T/$label.$rg"
    done
  done
done
echo "| build | range | facets call | process wall | process CPU | max RSS | runs |"
echo "|---|---|---:|---:|---:|---:|---:|"
for b in $BINS; do
  label=${b%%:*}
  for rg in $RANGES; do
    f="$T/$label.$rg"
    call=$(awk '{print $1}' "$f" | median)
    wall=$(awk '{print $2}' "$f" | median)
    cpu=$(awk '{print $3+$4}' "$f" | median)
    rss=$(awk '{print $5}' "$f" | sort -n | tail -1)
    printf '| %s | %s | %.0f ms | %.0f ms | %.0f ms | %d MB | %d |\n' "$label" "$rg" "$call" "$(echo "$wall*1000" | bc)" "$(echo "$cpu*1000" | bc)" $((rss / 1024)) "$RUNS"
  done
done
# Same answers from every build.
for rg in $RANGES; do
  sums=$(for b in $BINS; do
    IFS=: read -r label bin idx <<<"$b"
    "$bin" -index "$idx" -range "$rg" -json | md5sum | cut -c1-32
  done | sort -u | wc -l)
  [ "$sums" = 1 ] || die "range $rg: the builds' facets differ"
done
echo "facets identical across builds for ranges: $RANGES"
rm -rf "$T"
