#!/usr/bin/env bash
# Benchmark of ingest --follow (docs/follow.md): F files appended at a
# combined RATE lines/s for SECS seconds while `culprit ingest --follow`
# follows their directory. Once a second a probe line with a unique request
# ID is appended and other culprit processes poll `culprit search` for it
# until it is found: the write-to-visible latency (p50, p95, max; it
# includes starting those processes, whose median time is reported). It also
# reports the latency per minute, the follower's CPU (user+system over the
# run, in cores) and its RSS every 30 s, and checks at the end that the
# index holds every line exactly once.
#
# With -t, a TUI runs meanwhile in a detached tmux pane (120x40) and keys
# are sent to it (arrows on the home screen's error groups; e, F, arrows
# and pages in explore following a group's lines; esc back) through one
# tmux control client, 4 a second: it reports the time from sending a key
# to the end of drawing its frame (the TUI logs it, see tui/framelog.go),
# p50/p95/max per screen, and the TUI's time per message of other kinds.
# One line in 100 is an error (five kinds), so home has groups.
#
# usage: scripts/bench/follow.sh [-r RATE] [-f FILES] [-s SECS] [-d WORKDIR] [-m MEMDIR] [-t MODE] [-c DIV]
#   -r  combined lines per second (default 5000)
#   -f  number of files (default 4)
#   -s  duration in seconds (default 60)
#   -d  work directory (default: a new temporary one, removed at the end);
#       it keeps probes.tsv (each probe: when written, ms until visible)
#   -m  directory for the follower's Go heap figures every 30 s
#       (memstats.tsv) and heap profiles every minute (heap-SECONDS.pprof;
#       read them with `go tool pprof -sample_index=inuse_space BINARY FILE`)
#   -t  tui: `culprit tui` reads the follower's index from another process;
#       tui-follow: `culprit tui --follow LOGDIR` is the follower (one
#       process ingests and draws)
#   -c  divide the index's cache bounds by DIV in the follower and the TUI
#       (CULPRIT_CACHE_DIV), to see the caches reach their bound and stay
#       there within a short run
set -euo pipefail
cd "$(dirname "$0")/../.."

rate=5000 files=4 secs=60 work="" mem="" tuimode=""
while getopts r:f:s:d:m:t:c: opt; do
  case $opt in
    r) rate=$OPTARG ;; f) files=$OPTARG ;; s) secs=$OPTARG ;; d) work=$OPTARG ;; m) mem=$OPTARG ;; t) tuimode=$OPTARG ;;
    c) export CULPRIT_CACHE_DIV=$OPTARG ;;
    *) sed -n '2,34p' "$0"; exit 2 ;;
  esac
done
case $tuimode in
  "" | tui | tui-follow) ;;
  *) echo "-t: tui or tui-follow" >&2; exit 2 ;;
esac
keep=1
if [ -z "$work" ]; then work=$(mktemp -d); keep=0; fi
bin=$work/culprit logs=$work/logs idx=$work/idx
rm -rf "$logs" "$idx"; mkdir -p "$logs"
go build -o "$bin" .

memenv=""
if [ -n "$mem" ]; then mkdir -p "$mem"; memenv="CULPRIT_FOLLOW_MEMPROFILE=$(printf '%q' "$mem")"; fi
sess="culprit-follow-$$" frames="$work/frames.tsv"
rm -f "$frames"
q() { printf '%q' "$1"; }
# The TUI runs with exec so that the pane's pid is culprit's.
# (tmux starts it with the tmux server's environment: what it needs is passed.)
tuicmd="exec env CULPRIT_TUI_FRAMELOG=$(q "$frames") ${CULPRIT_CACHE_DIV:+CULPRIT_CACHE_DIV=$(q "$CULPRIT_CACHE_DIV")} $memenv $(q "$bin") --index $(q "$idx") tui"
if [ "$tuimode" = tui-follow ]; then
  tmux new-session -d -s "$sess" -x 120 -y 40 "$tuicmd --follow $(q "$logs") 2>$(q "$work/follow.err")"
  fpid=$(tmux display-message -p -t "$sess" '#{pane_pid}')
else
  env ${memenv:+"$memenv"} "$bin" --index "$idx" ingest --follow "$logs" >"$work/follow.out" 2>"$work/follow.err" &
  fpid=$!
  # With -t tui, the TUI starts once the index exists (in the driver below).
fi
trap 'kill $fpid 2>/dev/null || true; tmux kill-session -t "$sess" 2>/dev/null || true' EXIT

python3 - "$bin" "$idx" "$logs" "$rate" "$files" "$secs" "$fpid" "$tuimode" "$sess" "$frames" "$tuicmd" <<'PY'
import os, subprocess, sys, time, threading, json

bin, idx, logs, rate, nfiles, secs, fpid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
tuimode, sess, frames, tuicmd = sys.argv[8], sys.argv[9], sys.argv[10], sys.argv[11]
tick = os.sysconf("SC_CLK_TCK")

def cpu():
    with open(f"/proc/{fpid}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / tick

def rss():
    # VmRSS, and its parts: anonymous memory (the Go heap, stacks) and
    # file-backed pages (the index files bleve maps, which the kernel can
    # drop at any time).
    out = {}
    with open(f"/proc/{fpid}/status") as f:
        for l in f:
            k = l.split(":")[0]
            if k in ("VmRSS", "RssAnon", "RssFile"):
                out[k] = int(l.split()[1]) // 1024
    return "%d (anon %d, file %d)" % (out.get("VmRSS", 0), out.get("RssAnon", 0), out.get("RssFile", 0))

ERRORS = ["payment declined: upstream timeout", "inventory lookup failed: connection refused",
          "nil pointer dereference in cart.Total", "order validation failed: missing sku", "token refresh failed: 401 from auth"]

def line(tag, i, rid=None):
    t = time.time()
    ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int((t % 1) * 1e6)
    ev = {"time": ts, "level": "info", "service": tag, "msg": f"request {i} served",
          "request_id": rid or f"{tag}-{i:09d}", "status": 200, "route": "GET /api/x"}
    if rid is None and i % 100 == 7:
        e = ERRORS[(i // 100) % len(ERRORS)]
        ev.update(level="error", status=500, msg=e, error=e)
    return json.dumps(ev) + "\n"

fs = [open(os.path.join(logs, f"svc{k}.log"), "a", buffering=1 << 16) for k in range(nfiles)]
for f in fs:
    f.write(line("warm", 0, rid=f"warm-{f.name}")); f.flush()
written = nfiles
stop = False

def gen():
    global written
    n = 0
    start = time.time()
    while not stop:
        due = int((time.time() - start) * rate)
        while n < due:
            k = n % nfiles
            fs[k].write(line(f"svc{k}", n))
            n += 1
        for f in fs:
            f.flush()
        time.sleep(0.01)
    written += n

# Wait for the follower to have the warm-up lines.
deadline = time.time() + 60
while subprocess.run([bin, "--index", idx, "status"], capture_output=True).returncode != 0 and time.time() < deadline:
    time.sleep(0.1)
th = threading.Thread(target=gen); th.start()
if tuimode == "tui":
    subprocess.run(["tmux", "new-session", "-d", "-s", sess, "-x", "120", "-y", "40", tuicmd], check=True)
sent = []  # (time sent, tmux key name)

def drive():
    # One tmux control client: sending a key is a line on its stdin, not a
    # process started per key.
    ctl = subprocess.Popen(["tmux", "-C", "attach", "-t", sess], stdin=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Up on the first group focuses the input: the last Down comes back
    # to the groups, where e explores the selected one.
    cycle = ["Down"] * 5 + ["Up"] * 5 + ["Down", "e", None, "F"] + ["j"] * 5 + ["k"] * 5 + \
            ["PageDown"] * 2 + ["PageUp"] * 2 + ["j"] * 5 + ["Escape", None]
    time.sleep(5)  # let the TUI draw its first screen
    while not stop:
        for k in cycle:
            if stop:
                break
            if k is not None:
                sent.append((time.time_ns(), k))
                ctl.stdin.write(f"send-keys -t {sess} {k}\n".encode()); ctl.stdin.flush()
            time.sleep(0.25)
    ctl.stdin.close(); ctl.wait()

if tuimode:
    dr = threading.Thread(target=drive); dr.start()
cpu0, t0 = cpu(), time.time()
lat, rsss, probes, qtimes, bymin, probelog = [], [], 0, [], {}, []
next_rss = t0
while time.time() - t0 < secs:
    if time.time() >= next_rss:
        rsss.append((int(time.time() - t0), rss())); next_rss += 30
    rid = f"probe-{probes:06d}"
    with open(os.path.join(logs, "probe.log"), "a") as p:
        p.write(line("probe", probes, rid=rid))
    w = time.time(); probes += 1
    while True:
        q0 = time.time()
        found = subprocess.run([bin, "--index", idx, "search", f'request_id:"{rid}"', "--json"], capture_output=True).returncode == 0
        qtimes.append(time.time() - q0)
        if found:
            break
        if time.time() - w > 30:
            print("probe not visible after 30 s", file=sys.stderr); break
    probelog.append((w, time.time() - w))
    lat.append(time.time() - w); bymin.setdefault(int((w - t0) // 60), []).append(lat[-1])
    time.sleep(max(0, 1 - (time.time() - w)))
used = cpu() - cpu0
elapsed = time.time() - t0
stop = True; th.join()
if tuimode:
    dr.join()
for f in fs: f.close()
def q(p, xs=None):
    xs = sorted(lat if xs is None else xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]
lat.sort()
print(f"lines/s target {rate} over {nfiles} files, {elapsed:.0f} s, {len(lat)} probes")
print(f"write->visible in another process: p50 {q(0.5)*1000:.0f} ms, p95 {q(0.95)*1000:.0f} ms, max {lat[-1]*1000:.0f} ms")
if len(bymin) > 1:
    for m in sorted(bymin):
        xs = bymin[m]
        print(f"  minute {m+1}: {len(xs)} probes, p50 {q(0.5, xs)*1000:.0f} ms, p95 {q(0.95, xs)*1000:.0f} ms, max {max(xs)*1000:.0f} ms")
qtimes.sort()
print(f"one search process (start, query through the socket, exit): median {qtimes[len(qtimes)//2]*1000:.0f} ms")
print(f"follower CPU: {used/elapsed:.2f} cores")
print("follower RSS (s: MiB):\n" + "\n".join(f"  {s}: {m}" for s, m in rsss))
if tuimode:
    # The i-th key the TUI logged is the i-th key sent.
    names = {"Down": "down", "Up": "up", "PageDown": "pgdown", "PageUp": "pgup", "Escape": "esc"}
    keys, msgs = [], {}
    time.sleep(1)
    with open(frames) as f:
        for l in f:
            kind, screen, name, start, upd, view, end = l.rstrip("\n").split("\t")
            if kind == "key":
                keys.append((screen, name, int(end), int(upd) + int(view)))
            else:
                msgs.setdefault(name, []).append(int(upd) + int(view))
    if len(keys) != len(sent) or any(names.get(k, k) != n for (_, k), (_, n, _, _) in zip(sent, keys)):
        print(f"TUI: {len(sent)} keys sent, {len(keys)} logged, not in step: no key-to-frame figures", file=sys.stderr)
    else:
        groups = {}
        for (ts, k), (screen, n, end, own) in zip(sent, keys):
            cls = "arrows/pages" if n in ("down", "up", "j", "k", "pgdown", "pgup") else "other (e, F, esc)"
            groups.setdefault((screen, cls), []).append(((end - ts) / 1e6, own / 1e6))
        print(f"TUI ({tuimode}) key sent -> frame drawn, ms (and the TUI's own update+view):")
        for (screen, cls), xs in sorted(groups.items()):
            tot, own = [x[0] for x in xs], [x[1] for x in xs]
            print(f"  {screen:8} {cls:18} {len(xs):4} keys: p50 {q(0.5, tot):.1f}, p95 {q(0.95, tot):.1f}, max {max(tot):.1f} (own p50 {q(0.5, own):.1f}, p95 {q(0.95, own):.1f})")
        busy = sorted(((q(0.95, [x / 1e6 for x in v]), max(v) / 1e6, len(v), k) for k, v in msgs.items()), reverse=True)[:6]
        print("  other messages, update+view ms (p95, max, count): " + "; ".join(f"{k} {p:.1f}, {m:.1f}, {n}" for p, m, n, k in busy))
with open(os.path.join(os.path.dirname(logs), "probes.tsv"), "w") as f:
    f.write("written_unix_ms\tvisible_ms\n")
    for w, l in probelog:
        f.write(f"{int(w * 1000)}\t{int(l * 1000)}\n")
with open(os.path.join(os.path.dirname(logs), "written"), "w") as f:
    f.write(str(written + probes))
PY

# Let the follower catch up, stop it cleanly, and check the count.
want=$(cat "$work/written")
deadline=$((SECONDS + 60))
got=0
while [ $SECONDS -lt $deadline ]; do
  got=$("$bin" --index "$idx" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
  [ "$got" -ge "$want" ] && break
  sleep 0.2
done
kill -INT $fpid
if [ "$tuimode" = tui-follow ]; then
  while kill -0 $fpid 2>/dev/null; do sleep 0.1; done
else
  wait $fpid || true
fi
tmux kill-session -t "$sess" 2>/dev/null || true
trap - EXIT
echo "index holds $got events, $want lines written"
[ "$got" -eq "$want" ] || { echo "MISMATCH" >&2; exit 1; }
[ $keep -eq 1 ] || rm -rf "$work"
