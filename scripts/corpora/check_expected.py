"""Checks testdata/formats/expected.json against the corpora: every file is
listed, every line is valid JSON, and every check holds when the line is
read with the listed field paths and normalised as culprit must (canonical
levels, UTC times in Go's RFC3339Nano layout, paths without query strings,
Google trace ids without their projects/*/traces/ prefix).

It is a reference reader written independently of culprit's Go code, so a
disagreement between the two points at one of them.

Usage: check_expected.py FORMATS_DIR            verify
       check_expected.py FORMATS_DIR FILE N...  print what lines N... yield
"""

import json
import os
import re
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal

UTC = timezone.utc


def lookup(obj, path):
    """Resolves a user-written path in which a dot either descends into an
    object or is part of a literal key ("log.level", "http.request.id",
    "logging.googleapis.com/trace"); the longest literal key wins. "#"
    with "|0" (gjson) picks the first array element that has the rest."""
    if "|" in path:
        path, _, pick = path.partition("|")
        vals = lookup(obj, path)
        return vals[int(pick)] if isinstance(vals, list) and len(vals) > int(pick) else None
    segs = path.split(".")

    def walk(o, i):
        if i == len(segs):
            return o
        if segs[i] == "#":
            if not isinstance(o, list):
                return None
            out = [walk(e, i + 1) for e in o]
            return [v for v in out if v is not None]
        if not isinstance(o, dict):
            return None
        for j in range(len(segs), i, -1):
            key = ".".join(segs[i:j])
            if key in o:
                v = walk(o[key], j)
                if v is not None:
                    return v
        return None

    return walk(obj, 0)


def fmt_time(sec, nanos, tz=UTC):
    t = datetime.fromtimestamp(sec, UTC)
    frac = f"{nanos:09d}".rstrip("0")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "Z"


def norm_time(v):
    if isinstance(v, dict):  # Google {seconds, nanos}
        return fmt_time(int(v["seconds"]), int(v.get("nanos", 0)))
    if isinstance(v, (int, Decimal)) or (isinstance(v, str) and re.fullmatch(r"\d+(\.\d+)?", v)):
        d = Decimal(str(v))
        digits = len(str(int(d)))
        scale = {10: 1, 13: 10**3, 16: 10**6, 19: 10**9}.get(digits)
        if scale is None:
            raise ValueError(f"epoch number of {digits} digits: {v}")
        ns = int(d * (10**9 // scale))
        return fmt_time(ns // 10**9, ns % 10**9)
    s = v.strip()
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?\s*(Z|[+-]\d\d:?\d\d)?", s)
    if not m:
        raise ValueError(f"unparsed time {v!r}")
    date, clock, frac, zone = m.groups()
    base = datetime.fromisoformat(f"{date}T{clock}+00:00")
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        hh, mm = int(zone[1:3]), int(zone[-2:])
        base -= sign * timedelta(hours=hh, minutes=mm)
    nanos = int((frac or "0").ljust(9, "0"))
    return fmt_time(int(base.timestamp()), nanos)


LEVELS = {
    "trace": "trace", "verbose": "debug", "silly": "trace", "debug": "debug", "dbg": "debug",
    "info": "info", "information": "info", "notice": "info", "http": "info", "default": "info",
    "warn": "warn", "warning": "warn", "wrn": "warn",
    "error": "error", "err": "error", "eror": "error",
    "fatal": "fatal", "critical": "fatal", "crit": "fatal", "panic": "fatal", "dpanic": "fatal",
    "emergency": "fatal", "alert": "fatal",
}


def norm_level(v):
    if isinstance(v, (int, Decimal)):
        n = int(v)
        return {10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal"}[n]
    s = str(v).strip().lower()
    m = re.fullmatch(r"([a-z]+)([+-]\d+)?", s)  # slog "INFO+2"
    return LEVELS[m.group(1)] if m else None


def norm_path(v):
    s = re.sub(r"^[a-z]+://[^/]+", "", str(v))
    return s.split("?", 1)[0].split("#", 1)[0]


def norm_request_id(v):
    return re.sub(r"^projects/[^/]+/traces/", "", str(v))


def extract(obj, fields, defaults):
    out = {}
    for name, path in fields.items():
        v = lookup(obj, path)
        if v is None:
            continue
        if name == "time":
            out["time"] = norm_time(v)
        elif name == "level":
            out["level"] = norm_level(v)
        elif name == "status":
            out["status"] = int(v)
        elif name == "path":
            out["path"] = norm_path(v)
        elif name == "request_id":
            out["request_id"] = norm_request_id(v)
        elif name == "stack":
            out["stack"] = v if isinstance(v, str) else json.dumps(v)
        else:
            out[name] = v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list)) else str(v)
    for k, v in defaults.items():
        out.setdefault(k, v)
    return out


def load(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    objs = []
    for i, line in enumerate(lines, 1):
        try:
            objs.append(json.loads(line, parse_float=Decimal))
        except json.JSONDecodeError as e:
            raise SystemExit(f"{path}:{i}: not JSON: {e}")
    return objs


def main():
    fdir = sys.argv[1]
    with open(os.path.join(fdir, "expected.json")) as f:
        expected = json.load(f)
    by_file = {e["file"]: e for e in expected}
    if len(sys.argv) > 2:
        e = by_file[sys.argv[2]]
        objs = load(os.path.join(fdir, e["file"]))
        for n in map(int, sys.argv[3:]):
            got = extract(objs[n - 1], e["fields"], e.get("defaults", {}))
            if "stack" in got:
                got["stack"] = got["stack"][:80] + "..."
            print(n, json.dumps(got, ensure_ascii=False))
        return
    failures = 0
    names = sorted(n for n in os.listdir(fdir) if n.endswith(".jsonl"))
    for n in names:
        if n not in by_file:
            print(f"{n}: not in expected.json")
            failures += 1
    checks = 0
    for e in expected:
        objs = load(os.path.join(fdir, e["file"]))
        if not 10 <= len(objs) <= 40:
            print(f"{e['file']}: {len(objs)} lines, not 10-40")
            failures += 1
        for c in e["checks"]:
            checks += 1
            got = extract(objs[c["line"] - 1], e["fields"], e.get("defaults", {}))
            for k, want in c.items():
                if k == "line":
                    continue
                if k == "stack_contains":
                    # Without a stack field (Google Cloud Logging) the stack
                    # is inside the message, where Error Reporting looks.
                    stack = got.get("stack", "") if "stack" in e["fields"] else got.get("message", "")
                    ok = want in stack
                    have = stack[:60]
                else:
                    have = got.get(k, 0 if k == "status" else "")  # absent: left empty
                    ok = have == want
                if not ok:
                    failures += 1
                    print(f"{e['file']}:{c['line']}: {k}: want {want!r}, reference reader got {have!r}")
    print(f"{checks} passed, {failures} failed" if not failures else f"{checks - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
