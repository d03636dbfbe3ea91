# Shared helpers of the benchmark scripts; source it, do not run it.
#
# Environment (all optional):
#   WORK   scratch directory for the binary's index, corpora and results
#          (default /tmp/culprit-bench.d)
#   SEED   generator seed (default 1)
#   BIN    culprit binary to use (default: go build -o /tmp/culprit-bench .)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=${WORK:-/tmp/culprit-bench.d}
SEED=${SEED:-1}
BIN=${BIN:-}
mkdir -p "$WORK/results"

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 2; }

# need CMD... fails with the apt-get line to run when a tool is missing.
need() {
  local missing=()
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  [ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}: apt-get install -y ${missing[*]}"
}

# build_culprit sets BIN, building the binary from the repository unless BIN
# was given.
build_culprit() {
  if [ -n "$BIN" ]; then
    [ -x "$BIN" ] || die "BIN=$BIN is not executable"
    return
  fi
  BIN=/tmp/culprit-bench
  log "building culprit -> $BIN"
  (cd "$ROOT" && go build -o "$BIN" .) || die "go build failed"
}

# corpus LINES prints the directory of the generated corpus of LINES lines,
# generating it first unless it is already there (the generator is
# deterministic, so a corpus is reused across runs with the same seed).
corpus() {
  local lines=$1 dir="$WORK/corpus-$1-s$SEED"
  if [ ! -s "$dir/truth.json" ]; then
    log "generating $lines lines (seed $SEED) -> $dir"
    rm -rf "$dir"
    (cd "$ROOT" && go run ./scripts/gen -lines "$lines" -seed "$SEED" -out "$dir") >&2 || die "generator failed"
  fi
  printf '%s\n' "$dir"
}

# median reads numbers, one per line, and prints their median.
median() {
  sort -g | awk '{a[NR]=$1} END {if (NR==0) exit 1; if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

# machine prints the machine description used in docs/benchmarks.md.
machine() {
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "- RAM: $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "- $(go version | cut -d' ' -f3-)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}
