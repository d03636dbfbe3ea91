#!/usr/bin/env bash
# Long soak of the ingest pipeline: kill -9 at random moments, again and
# again, while logs are rotated (rename, compression, symlink, hard link,
# copytruncate) and a last line is written in two halves; then a completing
# run. It checks that the index holds every distinct line exactly once,
# that a further run adds nothing, and reports the peak RSS of the runs.
# See docs/reliability.md.
#
# usage: scripts/soak/ingest.sh [-n LINES] [-k KILLS] [-m MS] [-s SEED] [-d WORKDIR]
#   -n  distinct lines written in all (default 300000)
#   -k  kill -9 cycles (default 30), half before, half after the rotation
#   -m  a cycle is killed after a random 50..MS milliseconds (default 800)
#   -s  seed of the kill delays (default 1)
#   -d  work directory (default: a new temporary one, removed on success)
set -euo pipefail
cd "$(dirname "$0")/../.."

lines=300000 kills=30 maxms=800 seed=1 work=""
while getopts n:k:m:s:d: opt; do
  case $opt in
    n) lines=$OPTARG ;; k) kills=$OPTARG ;; m) maxms=$OPTARG ;; s) seed=$OPTARG ;; d) work=$OPTARG ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
keep=1
if [ -z "$work" ]; then work=$(mktemp -d); keep=0; fi
bin=$work/culprit logs=$work/logs idx=$work/idx
rm -rf "$logs" "$idx" "$work/fresh"; mkdir -p "$logs"
go build -o "$bin" .
RANDOM=$seed

# gen TAG FIRST N: N distinct JSON lines.
gen() {
  awk -v tag="$1" -v first="$2" -v n="$3" 'BEGIN {
    for (i = first; i < first + n; i++)
      printf "{\"time\":\"2026-11-25T%02d:%02d:%02d.%03dZ\",\"level\":\"info\",\"service\":\"%s\",\"msg\":\"request %d served\",\"request_id\":\"%s-%09d\",\"status\":200}\n",
        int(i / 3600000) % 24, int(i / 60000) % 60, int(i / 1000) % 60, i % 1000, tag, i, tag, i
  }'
}

peak=0 killed=0 ran=0
timed() { # timed CMD...: runs CMD, tracks the peak RSS (KiB) when GNU time is there
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$work/rss" "$@"; local rc=$?
    local r; r=$(tail -1 "$work/rss" 2>/dev/null || echo 0)
    case $r in ''|*[!0-9]*) r=0 ;; esac
    [ "$r" -gt "$peak" ] && peak=$r
    return $rc
  fi
  "$@"
}
cycle() { # one ingest, killed after a random 50..maxms milliseconds
  local ms=$((50 + RANDOM % (maxms - 49)))
  local d; d=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
  ran=$((ran + 1))
  if timeout --foreground -s KILL "$d" "$bin" ingest --index "$idx" "$logs" >/dev/null 2>&1; then :; else
    local rc=$?
    if [ $rc -eq 137 ] || [ $rc -eq 124 ]; then killed=$((killed + 1)); else echo "soak: ingest failed (exit $rc)"; exit 1; fi
  fi
}

# Lines: api.log (a live file appended to before every cycle, rotated
# midway), old.log.gz, web.log (copytruncated, its last line written in two
# halves).
chunk=$((lines / 5 / kills)) a=$((lines * 4 / 10)) b=$((lines / 5)) n=$((lines / 20)) c=$((lines / 10))
r=$((lines - a - b - kills * chunk - n - c - 1))
next=0 # next api line
api() { gen api "$next" "$1" >>"$logs/api.log"; next=$((next + $1)); }
api "$a"
gen old 0 "$b" | gzip >"$logs/old.log.gz"
for i in $(seq 1 $((kills / 2))); do api "$chunk"; cycle; done

# Rotation: rename, a new file, compression of the rotated one, links.
mv "$logs/api.log" "$logs/api.log.1"
api "$n"
gzip "$logs/api.log.1"
ln -s "$logs/api.log.1.gz" "$logs/api-link.log.gz"
ln "$logs/api.log" "$logs/api-hard.log"
# copytruncate of a second file, and a last line written in two halves.
gen web 0 "$c" >"$logs/web.log"
cp "$logs/web.log" "$logs/web.log.1"
: >"$logs/web.log"
gen web "$c" "$r" >>"$logs/web.log"
last=$(gen web $((c + r)) 1)
printf '%s' "${last:0:40}" >>"$logs/web.log"
for i in $(seq 1 $((kills - kills / 2))); do api "$chunk"; cycle; done
printf '%s\n' "${last:40}" >>"$logs/web.log"

start=$(date +%s)
timed "$bin" ingest --index "$idx" "$logs" >"$work/summary.txt"
final=$(( $(date +%s) - start ))
count() { "$bin" status --index "$1" --json | sed -n 's/.*"events": *\([0-9]*\).*/\1/p' | head -1; }
events=$(count "$idx")
"$bin" ingest --index "$idx" "$logs" >/dev/null
again=$(( $(count "$idx") - events ))
# The same logs into a fresh index, measured: a clean run's time and RSS.
peak=0
start=$(date +%s)
timed "$bin" ingest --index "$work/fresh" "$logs" >/dev/null
clean=$(( $(date +%s) - start ))
fresh=$(count "$work/fresh")
dups=$("$bin" search --index "$idx" --json --limit $((lines + 1000)) '' | sort | uniq -d | wc -l)

echo "soak: $lines distinct lines, $ran runs of which $killed killed (kill -9), then a completing run (${final}s)"
echo "soak: index holds $events events, $dups lines stored twice, a further run added $again"
echo "soak: a clean ingest of the final logs into a fresh index: $fresh events in ${clean}s$([ "$peak" -gt 0 ] && echo ", peak RSS $((peak / 1024)) MiB")"
if [ "$events" -ne "$lines" ] || [ "$fresh" -ne "$lines" ] || [ "$dups" -ne 0 ] || [ "$again" -ne 0 ]; then
  echo "soak: FAILED (work directory kept: $work)"; exit 1
fi
echo "soak: OK"
[ $keep -eq 1 ] || rm -rf "$work"
