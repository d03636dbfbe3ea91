"""history.py OUT: writes OUT/deploys/ from the deploys run.sh recorded in OUT/events.jsonl.

Each service's history is written in the format its team has, as the tools print it:

- helm-<release>.json: `helm history <release> -o json`, an array of
  {revision, updated, status, chart, app_version, description}; `updated` is
  Go's time.Time JSON in the cluster's zone (+01:00); the release name is not in
  the output, only in the chart name; status superseded/deployed/failed.
- argocd-<app>.json: `argocd app history <app> -o json`, an array of
  {id, revision, deployStartedAt, deployedAt, source, initiatedBy}; the version
  is the git tag in source.targetRevision.
- payments-rollouts.csv: the team's own rollout log, one row per rollout with
  the hosts it went to (a canary goes to one host).

Only deploys are written: the faults in events.jsonl never are.
"""

import csv
import datetime as dt
import hashlib
import json
import os
import sys

CHARTS = {  # service -> {app version: chart version}
    "checkout": {"5.1.0": "1.4.0", "5.2.0": "1.5.0"},
    "inventory": {"2.7.1": "0.9.2", "2.8.0": "0.10.0"},
    "db": {"14.2.1": "2.3.1"},
}
ZONE = dt.timezone(dt.timedelta(hours=1))


def parse(t):
    return dt.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)


def go_time(t):
    """Go's time.Time MarshalJSON: RFC 3339 with nanoseconds, trailing zeros trimmed."""
    local = t.astimezone(ZONE)
    frac = f"{local.microsecond:06d}000".rstrip("0")
    return local.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "+01:00"


def main(out):
    with open(os.path.join(out, "events.jsonl")) as f:
        events = [json.loads(l) for l in f if l.strip()]
    deploys = [e for e in events if e["kind"] == "deploy"]
    ddir = os.path.join(out, "deploys")
    os.makedirs(ddir, exist_ok=True)

    for svc in sorted({d["service"] for d in deploys if d["history"] == "helm"}):
        revs = []
        for d in (d for d in deploys if d["service"] == svc):
            revs.append({
                "revision": len(revs) + 1,
                "updated": go_time(parse(d["time"])),
                "status": "failed" if d["status"] == "failed" else "deployed",
                "chart": f"{svc}-{CHARTS[svc][d['version']]}",
                "app_version": d["version"],
                "description": d["description"],
            })
        last_ok = max((r["revision"] for r in revs if r["status"] == "deployed"), default=0)
        for r in revs:
            if r["status"] == "deployed" and r["revision"] != last_ok:
                r["status"] = "superseded"
        with open(os.path.join(ddir, f"helm-{svc}.json"), "w") as f:
            json.dump(revs, f)
            f.write("\n")

    for svc in sorted({d["service"] for d in deploys if d["history"] == "argocd"}):
        hist = []
        for d in (d for d in deploys if d["service"] == svc):
            t = parse(d["time"])
            hist.append({
                "deployStartedAt": (t - dt.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "deployedAt": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "id": len(hist),
                "initiatedBy": {"username": d["author"]},
                "revision": hashlib.sha1(f"gitops {svc} {d['version']}".encode()).hexdigest(),
                "source": {
                    "path": f"apps/{svc}/overlays/production",
                    "repoURL": "https://git.example.com/platform/gitops.git",
                    "targetRevision": "v" + d["version"],
                },
            })
        with open(os.path.join(ddir, f"argocd-{svc}.json"), "w") as f:
            json.dump(hist, f, indent=2)
            f.write("\n")

    rows = [d for d in deploys if d["history"] == "csv"]
    if rows:
        with open(os.path.join(ddir, "payments-rollouts.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["deployed_at", "service", "version", "hosts", "commit", "author", "note"])
            for d in rows:
                w.writerow([d["time"], d["service"], d["version"], ",".join(d["hosts"]), d["commit"], d["author"], d["description"]])


if __name__ == "__main__":
    main(sys.argv[1])
