#!/usr/bin/env bash
# screens.sh — time the whole-index screens of one or more culprit binaries
# on one index each, alternating the binaries run by run so that a shared
# machine's load falls on all of them alike.
#
#   BINS="old:/tmp/culprit-old:/tmp/idx-old new:/tmp/culprit-new:/tmp/idx-new" \
#     ID=<failing request id> RUNS=7 scripts/bench/screens.sh
#
# For each binary (label:binary:index) and question it runs the whole
# process RUNS times (default 7) under /usr/bin/time and prints the median
# wall time, the median CPU time (user+sys: what the process itself cost,
# less sensitive to other processes than wall time) and the largest RSS.
# Questions: errors --json (every group), errors --limit 50 --json,
# request ID --json, search 'stack:ApplyDiscounts' --limit 50 --json, and
# the TUI home's backend work (go run ./scripts/bench/home, built once per
# binary's source tree by HOME_BINS="label:path ..." if given).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-7}
[ -n "${BINS:-}" ] || die "set BINS"
[ -n "${ID:-}" ] || die "set ID (a failing request id)"
declare -A homebin
for hb in ${HOME_BINS:-}; do homebin[${hb%%:*}]=${hb#*:}; done
T=$(mktemp -d)
questions=("errors --json" "errors --limit 50 --json" "request $ID --json" "search stack:ApplyDiscounts --limit 50 --json" "home")
for r in $(seq "$RUNS"); do
  for b in $BINS; do
    IFS=: read -r label bin idx <<<"$b"
    for qi in "${!questions[@]}"; do
      q=${questions[$qi]}
      if [ "$q" = home ]; then
        [ -n "${homebin[$label]:-}" ] || continue
        cmd=("${homebin[$label]}" -index "$idx")
      else
        read -r -a args <<<"$q"
        cmd=("$bin" "${args[@]}" --index "$idx")
      fi
      /usr/bin/time -f "%e %U %S %M" -o "$T/t" "${cmd[@]}" >/dev/null 2>"$T/err" || die "$label: ${cmd[*]} failed: $(cat "$T/err")"
      echo "$(cat "$T/t")" >>"$T/$label.$qi"
    done
  done
done
echo "| binary | question | wall median | CPU median | max RSS | runs |"
echo "|---|---|---:|---:|---:|---:|"
for b in $BINS; do
  label=${b%%:*}
  for qi in "${!questions[@]}"; do
    f="$T/$label.$qi"
    [ -s "$f" ] || continue
    wall=$(awk '{print $1}' "$f" | median)
    cpu=$(awk '{print $2+$3}' "$f" | median)
    rss=$(awk '{print $4}' "$f" | sort -n | tail -1)
    printf '| %s | %s | %.0f ms | %.0f ms | %d MB | %d |\n' "$label" "${questions[$qi]}" "$(echo "$wall*1000" | bc)" "$(echo "$cpu*1000" | bc)" $((rss / 1024)) "$RUNS"
  done
done
rm -rf "$T"
