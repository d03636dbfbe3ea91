#!/usr/bin/env bash
# tui.sh — time the TUI from Enter on a pasted request id to the
# investigation drawn, driving the real binary in a detached tmux pane.
#
# Each run starts `culprit tui` in a fresh 120x40 tmux session, waits for the
# home screen to settle, types the id (after FOCUS_KEYS, if the input needs
# focusing), then takes the time from `send-keys Enter` until the pane shows
# MARK. tmux itself takes time (send-keys and each capture-pane poll spawn a
# process: ~5 ms quiet, ~30 ms on a loaded machine), so the script first
# measures the harness floor against a program that answers at once
# (CAL_RUNS runs, default 5) and reports the raw median, the floor and
# their difference.
#
# Environment: LINES (default 1000000), INDEX (default $WORK/idx-LINES, made
# by ingest.sh), ID (default a typical request of the orders discount bug),
# MARK (text only the investigation screen shows; default ApplyDiscounts, a
# frame of that request's stack trace), FOCUS_KEYS (tmux key names sent
# before typing, e.g. "/"; default none), RUNS (default 10), plus WORK, SEED,
# BIN (see lib.sh).
source "$(dirname "$0")/lib.sh"

LINES=${LINES:-1000000}
RUNS=${RUNS:-10}
CAL_RUNS=${CAL_RUNS:-5}
MARK=${MARK:-ApplyDiscounts}
FOCUS_KEYS=${FOCUS_KEYS:-}
need tmux jq
build_culprit
D=$(corpus "$LINES")
IDX=${INDEX:-$WORK/idx-$LINES}
[ -d "$IDX" ] || die "no index at $IDX: run scripts/bench/ingest.sh $LINES first"
ID=${ID:-$(jq -r '.bugs[] | select(.name == "orders-discount-index-out-of-range") | .sample_request_ids[-1]' "$D/truth.json")}
[ -n "$ID" ] || die "no request id"

sess="culprit-bench-$$"
OUT="$WORK/results/tui-$LINES"
cleanup() { tmux kill-session -t "$sess" 2>/dev/null || true; }
trap cleanup EXIT

now_ns() { date +%s%N; }
pane() { tmux capture-pane -p -t "$sess" 2>/dev/null || true; }

# settle SECONDS waits until the pane shows something and stops changing.
settle() {
  local deadline=$(($(now_ns) + $1 * 1000000000)) prev="" cur same=0
  while [ "$(now_ns)" -lt "$deadline" ]; do
    cur=$(pane)
    if [ -n "${cur//[[:space:]]/}" ] && [ "$cur" = "$prev" ]; then
      same=$((same + 1))
      [ $same -ge 4 ] && return 0
    else
      same=0
    fi
    prev=$cur
    sleep 0.05
  done
  return 1
}

# wait_for TEXT SECONDS polls the pane until it contains TEXT.
wait_for() {
  local deadline=$(($(now_ns) + $2 * 1000000000))
  until pane | grep -qF -- "$1"; do
    [ "$(now_ns)" -lt "$deadline" ] || return 1
  done
}

# once CMD prints the ms from Enter to MARK for one run of CMD in a fresh pane.
once() {
  cleanup
  tmux new-session -d -s "$sess" -x 120 -y 40 "$1; sleep 30"
  settle 10 || { pane >&2; die "the first screen did not settle within 10 s"; }
  if pane | grep -qF -- "$MARK"; then
    pane >&2
    die "MARK '$MARK' is already on the first screen: choose a MARK only the investigation shows"
  fi
  [ -z "$FOCUS_KEYS" ] || tmux send-keys -t "$sess" $FOCUS_KEYS
  tmux send-keys -t "$sess" -l "$ID"
  wait_for "${ID:0:8}" 5 || { pane >&2; die "the typed id does not show"; }
  local t0 t1
  t0=$(now_ns)
  tmux send-keys -t "$sess" Enter
  wait_for "$MARK" 10 || { pane >&2; die "'$MARK' did not show within 10 s of Enter"; }
  t1=$(now_ns)
  echo $(((t1 - t0) / 1000000))
}

# The harness floor: the same steps against a program that answers at once.
floor=()
for i in $(seq 1 "$CAL_RUNS"); do
  floor+=("$(once "printf 'id> '; read -r id; echo $(printf '%q' "$MARK")")")
done
floor_med=$(printf '%s\n' "${floor[@]}" | median)
log "harness floor (instant responder): median $floor_med ms; runs: ${floor[*]}"

times=()
for i in $(seq 1 "$RUNS"); do
  ms=$(once "env CULPRIT_INDEX=$(printf '%q' "$IDX") $(printf '%q' "$BIN") tui")
  log "run $i/$RUNS: Enter -> '$MARK' drawn in $ms ms"
  times+=("$ms")
  [ "$i" -eq 1 ] && pane >"$OUT.screen.txt"
done
med=$(printf '%s\n' "${times[@]}" | median)
net=$(awk -v a="$med" -v b="$floor_med" 'BEGIN {d = a - b; print (d < 0 ? 0 : d)}')
printf '%s\n' "${times[@]}" | jq -s --arg id "$ID" --arg mark "$MARK" --argjson median "$med" \
  --argjson floor "$floor_med" --argjson net "$net" --argjson floor_runs "$(printf '%s\n' "${floor[@]}" | jq -s .)" \
  '{id: $id, mark: $mark, enter_to_drawn_ms_median: $median, harness_floor_ms_median: $floor,
    net_ms: $net, runs_ms: ., floor_runs_ms: $floor_runs}' >"$OUT.json"
echo "TUI Enter -> investigation drawn: median $med ms over $RUNS runs, harness floor $floor_med ms, net $net ms (target <= 150 ms)"
log "runs: ${times[*]}; summary: $OUT.json; first screen: $OUT.screen.txt"
