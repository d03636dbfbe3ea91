#!/usr/bin/env python3
"""Fill in the "time" of each entry of testdata/libs/expected.json.

Every other field of an entry is written by hand from what the producer does
(its request ids, messages, the error it raises, the function that raises it).
The time is the only thing the library decides, so after a regeneration this
script reads it back from the error line of the entry's first request: the
line that has the request id, the message and the error message, read at
the entry's "time_key" (a dotted path) and converted to RFC 3339 in UTC at
the precision the line states (Go's RFC3339Nano: trailing zeros dropped). It
also checks that both requests of the entry occur in the file.

This is an independent reader, written without culprit's code.
"""
import datetime as dt
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

ISO = re.compile(r"^(\d{4})[-/](\d\d)[-/](\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?$")


def fmt(secs, frac):
    """RFC 3339 UTC from whole epoch seconds and a decimal fraction string."""
    t = dt.datetime.fromtimestamp(secs, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    frac = (frac or "").rstrip("0")
    return t + ("." + frac if frac else "") + "Z"


def from_string(s):
    m = ISO.match(s.strip())
    if not m:
        raise ValueError(f"unknown time layout {s!r}")
    y, mo, d, h, mi, se, frac, zone = m.groups()
    off = 0
    if zone and zone != "Z":
        z = zone.replace(":", "")
        off = (int(z[1:3]) * 3600 + int(z[3:5]) * 60) * (1 if z[0] == "+" else -1)
    # A time without a zone is local time, and gen.sh runs with TZ=UTC.
    base = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(se), tzinfo=dt.timezone.utc)
    return fmt(int(base.timestamp()) - off, frac)


def from_number(n):
    n = Decimal(str(n))
    for scale in (Decimal(1), Decimal(10**3), Decimal(10**6), Decimal(10**9)):
        if n / scale < Decimal(10**11):
            secs = n / scale
            whole = int(secs)
            frac = str(secs - whole)[2:] if secs != whole else ""
            return fmt(whole, frac)
    raise ValueError(f"epoch out of range: {n}")


def convert(v):
    if isinstance(v, str):
        try:
            return from_number(Decimal(v))
        except Exception:
            return from_string(v)
    if isinstance(v, (int, float)):
        return from_number(v)
    if isinstance(v, dict):
        if "epochSecond" in v:
            return fmt(int(v["epochSecond"]), "%09d" % int(v.get("nanoOfSecond", 0)))
        if "seconds" in v:
            return fmt(int(v["seconds"]), "%09d" % int(v.get("nanos", 0)))
        if "repr" in v:
            return from_string(v["repr"])
    raise ValueError(f"unknown time value {v!r}")


def lookup(obj, path):
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


def main(d):
    d = Path(d)
    exp_path = d / "expected.json"
    entries = json.loads(exp_path.read_text())
    bad = 0
    for e in entries:
        lines = (d / e["file"]).read_text().splitlines()
        for rid in e["requests"]:
            if not any(rid in l for l in lines):
                print(f"{e['file']}: request {rid} not in the file", file=sys.stderr)
                bad += 1
        rid = e["requests"][0]
        cands = [l for l in lines if rid in l and json.dumps(e["message"])[1:-1] in l
                 and json.dumps(e["error_message"])[1:-1] in l]
        if not cands:
            print(f"{e['file']}: no error line for {rid}", file=sys.stderr)
            bad += 1
            continue
        line = max(cands, key=len)
        e["time"] = convert(lookup(json.loads(line), e["time_key"]))
    exp_path.write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "testdata/libs"))
