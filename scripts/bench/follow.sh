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
# usage: scripts/bench/follow.sh [-r RATE] [-f FILES] [-s SECS] [-d WORKDIR] [-m MEMDIR]
#   -r  combined lines per second (default 5000)
#   -f  number of files (default 4)
#   -s  duration in seconds (default 60)
#   -d  work directory (default: a new temporary one, removed at the end)
#   -m  directory for the follower's Go heap figures every 30 s
#       (memstats.tsv) and heap profiles every minute (heap-SECONDS.pprof;
#       read them with `go tool pprof -sample_index=inuse_space BINARY FILE`)
set -euo pipefail
cd "$(dirname "$0")/../.."

rate=5000 files=4 secs=60 work="" mem=""
while getopts r:f:s:d:m: opt; do
  case $opt in
    r) rate=$OPTARG ;; f) files=$OPTARG ;; s) secs=$OPTARG ;; d) work=$OPTARG ;; m) mem=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
keep=1
if [ -z "$work" ]; then work=$(mktemp -d); keep=0; fi
bin=$work/culprit logs=$work/logs idx=$work/idx
rm -rf "$logs" "$idx"; mkdir -p "$logs"
go build -o "$bin" .

if [ -n "$mem" ]; then mkdir -p "$mem"; export CULPRIT_FOLLOW_MEMPROFILE=$mem; fi
"$bin" --index "$idx" ingest --follow "$logs" >"$work/follow.out" 2>"$work/follow.err" &
unset CULPRIT_FOLLOW_MEMPROFILE
fpid=$!
trap 'kill $fpid 2>/dev/null || true' EXIT

python3 - "$bin" "$idx" "$logs" "$rate" "$files" "$secs" "$fpid" <<'PY'
import os, subprocess, sys, time, threading, json

bin, idx, logs, rate, nfiles, secs, fpid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
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

def line(tag, i, rid=None):
    t = time.time()
    ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int((t % 1) * 1e6)
    return json.dumps({"time": ts, "level": "info", "service": tag, "msg": f"request {i} served",
                       "request_id": rid or f"{tag}-{i:09d}", "status": 200, "route": "GET /api/x"}) + "\n"

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
cpu0, t0 = cpu(), time.time()
lat, rsss, probes, qtimes, bymin = [], [], 0, [], {}
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
    lat.append(time.time() - w); bymin.setdefault(int((w - t0) // 60), []).append(lat[-1])
    time.sleep(max(0, 1 - (time.time() - w)))
used = cpu() - cpu0
elapsed = time.time() - t0
stop = True; th.join()
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
kill -INT $fpid; wait $fpid || true
trap - EXIT
echo "index holds $got events, $want lines written"
[ "$got" -eq "$want" ] || { echo "MISMATCH" >&2; exit 1; }
[ $keep -eq 1 ] || rm -rf "$work"
