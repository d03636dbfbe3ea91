"""truth.py OUT: derives the ground truth of a generated incident2 run.

It reads every service's log in that service's own convention (this script
shares no code with culprit and knows each logger by name), joins the lines of
a request by W3C trace id (the gateway logs the request id and the trace id;
the others only the trace context), rebuilds each trace's span tree from the
parent span ids, and combines that with the run's own record of what it did
when (OUT/events.jsonl, written by run.sh). It picks the investigation cases,
checks that each fault shows in the logs the way the scenario promises (it
exits 1 and says which check failed otherwise), and writes:

- OUT/truth.json: the scenario as it happened (deploys, faults, the clock skew
  configured and measured) and, for each case, the pasted id, the trace ids
  of the request, the services on its path, the root error (the deepest
  failure in the call chain: service, host, version, type, message), the
  expected cause, the deploy to blame (or none) and what the failure affected.
- OUT/cases.json: the cases in the shape of testdata/incident/cases.json.
"""

import bisect
import datetime as dt
import json
import os
import re
import statistics
import sys
import uuid

UTC = dt.timezone.utc


def iso(s):
    """Parses RFC 3339 with any fraction and Z or an offset."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", s)
    if not m:
        raise ValueError(f"not RFC 3339: {s!r}")
    base = dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    tz = UTC if m.group(3) == "Z" else dt.datetime.strptime(m.group(3).replace(":", ""), "%z").tzinfo
    frac = float("0." + (m.group(2) or "0"))
    return base.replace(tzinfo=tz).timestamp() + frac


def stamp(t):
    return dt.datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Line(dict):
    """One normalised log line: svc, t, level, msg, trace, span, parent, and the rest."""

    __getattr__ = dict.get


def read_gateway(path):
    for n, raw in enumerate(open(path), 1):
        o = json.loads(raw)
        yield Line(svc="gateway", file=path, n=n, t=iso(o["timestamp"]), level=o["level"], msg=o["message"],
                   rid=o.get("request_id"), trace=o.get("trace_id"), span=o.get("span_id"), parent=None,
                   route=o.get("route"), status=o.get("status"), user=o.get("user_id"), version=o.get("version"),
                   host=o.get("host"), etype=o.get("error_type"), upstream=o.get("upstream"), stack=o.get("stack"),
                   duration=o.get("duration_ms"))


def read_checkout(path):
    for n, raw in enumerate(open(path), 1):
        o = json.loads(raw)
        exc = o.get("exc_info")
        yield Line(svc="checkout", file=path, n=n, t=iso(o["timestamp"]), level=o["level"].lower(), msg=o["message"],
                   trace=o.get("otelTraceID") if o.get("otelTraceID") != "0" else None, span=o.get("otelSpanID"),
                   parent=None, route=o.get("http.route"), status=o.get("http.status_code"), version=o.get("version"),
                   host=o.get("host"), stack=exc, etype=exc.strip().splitlines()[-1].split(":")[0] if exc else None,
                   emsg=exc.strip().splitlines()[-1] if exc else None, duration=o.get("duration_ms"))


def read_inventory(path):
    """zap JSON lines, and the Go runtime's plain-text crash output between them."""
    lines, block = [], None
    for n, raw in enumerate(open(path), 1):
        if raw.startswith("{"):
            o = json.loads(raw)
            if block:
                block["t_after"] = o["ts"]
                block = None
            lines.append(Line(svc="inventory", file=path, n=n, t=float(o["ts"]), level=o["level"], msg=o["msg"],
                              trace=o.get("trace_id"), span=o.get("span_id"), parent=o.get("parent_span_id") or None,
                              route=o.get("route"), status=o.get("status"), version=o.get("version"),
                              host=o.get("host"), stack=o.get("stacktrace"), emsg=o.get("error"),
                              duration=o.get("duration_ms")))
        else:
            if block is None:
                prev = lines[-1].t if lines else None
                block = Line(svc="inventory", file=path, n=n, t=prev, crash=True, text=[], level="panic")
                lines.append(block)
            block["text"].append(raw.rstrip("\n"))
    return lines


def read_db(path):
    for n, raw in enumerate(open(path), 1):
        o = json.loads(raw)
        yield Line(svc="db", file=path, n=n, t=iso(o["@timestamp"]), level=o["log.level"], msg=o["message"],
                   trace=o.get("trace.id"), span=o.get("span.id"), parent=o.get("parent.id") or None,
                   version=o.get("service.version"), host=o.get("host.name"), etype=o.get("error.type"),
                   duration=(o["event.duration"] / 1e6) if "event.duration" in o else None, lock_wait=o.get("lock_wait_ms"),
                   table=o.get("db.sql.table"))


def read_payments(path):
    for n, raw in enumerate(open(path), 1):
        o = json.loads(raw)
        ctx = o.get("contextMap") or {}
        th = o.get("thrown") or {}
        yield Line(svc="payments", file=path, n=n, t=o["instant"]["epochSecond"] + o["instant"]["nanoOfSecond"] / 1e9,
                   level=o["level"].lower(), msg=o["message"], trace=ctx.get("traceId"), span=ctx.get("spanId"),
                   parent=ctx.get("parentId"), version=o.get("version"), host=o.get("host"), etype=th.get("name"),
                   emsg=th.get("message"), stack=th.get("extendedStackTrace"))


def load(out):
    d = os.path.join(out, "logs")
    lines = list(read_gateway(os.path.join(d, "gateway.log")))
    lines += read_checkout(os.path.join(d, "checkout.log"))
    lines += read_inventory(os.path.join(d, "inventory.log"))
    lines += read_db(os.path.join(d, "db.log"))
    for h in (0, 1):
        lines += read_payments(os.path.join(d, f"payments-{h}.log"))
    return lines


class Checks:
    def __init__(self):
        self.failed = 0

    def __call__(self, name, ok, detail):
        print(f"{'ok  ' if ok else 'FAIL'}  {name:24} {detail}", file=sys.stderr)
        if not ok:
            self.failed += 1


def main(out):
    events = [json.loads(l) for l in open(os.path.join(out, "events.jsonl")) if l.strip()]
    for e in events:
        e["t"] = iso(e["time"])
    lines = load(out)
    check = Checks()

    by_trace, by_rid = {}, {}
    for l in lines:
        if l.trace:
            by_trace.setdefault(l.trace, []).append(l)
        if l.rid:
            by_rid.setdefault(l.rid, []).append(l)
    gw_done = [l for l in lines if l.svc == "gateway" and l.msg == "request completed"]

    def ev(kind, **kw):
        return [e for e in events if e["kind"] == kind and all(e.get(k) == v for k, v in kw.items())]

    traffic = (ev("traffic-start")[0]["t"], ev("traffic-end")[0]["t"])
    deploys = ev("deploy")
    canary = ev("deploy", service="payments", version="3.4.0")[0]
    rollback = [d for d in ev("deploy", service="payments", version="3.3.2") if d["t"] > canary["t"]][0]
    config = ev("deploy", service="checkout", version="5.2.0")[0]
    removed = ev("config-removed")[0]
    failed_rev = ev("deploy", service="inventory", version="2.8.0")[0]
    crash = ev("crash-trigger")[0]
    exits = ev("exit", service="inventory")
    restarts = ev("restart", service="inventory")
    maint = ev("db-maintenance")[0]
    gw_deploy = ev("deploy", service="gateway", version="1.12.1")[0]
    skew = ev("clock-skew")[0]

    def request(rid):
        """Every line of a request: its gateway lines, then every line of its traces."""
        gl = by_rid.get(rid, [])
        traces = sorted({l.trace for l in gl if l.trace})
        ls = list(gl)
        for tr in traces:
            ls += [l for l in by_trace[tr] if l.svc != "gateway"]
        return traces, sorted(ls, key=lambda l: (l.t, l.svc))

    def depth_of(ls):
        """Depth of each span in the call tree: the gateway's span is 0; a span's depth is its
        parent's plus one; checkout logs no parent span, and only the gateway calls it."""
        parent = {l.span: l.parent for l in ls if l.span}
        svc = {l.span: l.svc for l in ls if l.span}

        def depth(s, seen=()):
            if svc.get(s) == "gateway":
                return 0
            if svc.get(s) == "checkout":
                return 1
            p = parent.get(s)
            if p is None or p in seen:
                return 1
            return 1 + depth(p, seen + (s,))

        return {s: depth(s) for s in svc}

    def root_error(ls):
        errs = [l for l in ls if l.level in ("error", "fatal", "panic") and not l.crash]
        if not errs:
            return None
        d = depth_of(ls)
        return max(errs, key=lambda l: (d.get(l.span, 0), -l.t))

    def outcome(rid):
        done = [l for l in by_rid.get(rid, []) if l.msg == "request completed"]
        return done[-1] if done else None

    def describe(l):
        if l is None:
            return None
        return {"service": l.svc, "host": l.host, "version": l.version, "type": l.etype,
                "message": l.emsg or l.msg, "time": stamp(l.t), "log_line": f"logs/{os.path.basename(l.file)}:{l.n}"}

    def base_case(name, rid, description):
        traces, ls = request(rid)
        root = root_error(ls)
        return {
            "name": name, "description": description, "pasted_id": rid, "found": True,
            "trace_ids": traces,
            "services": sorted({l.svc for l in ls}),
            "route": outcome(rid).route if outcome(rid) else None,
            "status": outcome(rid).status if outcome(rid) else None,
            "root_error": describe(root),
        }

    def deploy_ref(d):
        return {"service": d["service"], "version": d["version"], "hosts": d["hosts"], "time": d["time"],
                "history": d["history"], "status": d["status"]}

    def failures_where(pred):
        """Gateway requests whose request's lines satisfy pred(lines), with their lines."""
        res = []
        for g in gw_done:
            if g.status is None or g.status < 500:
                continue
            _, ls = request(g.rid)
            if pred(ls):
                res.append((g, ls))
        return res

    def pick(cands, after, what):
        """The first candidate at least `after` seconds later than the first one (a later report,
        not the first occurrence)."""
        if not cands:
            sys.exit(f"truth.py: no request in {out}/logs shows {what}: the run did not play the scenario")
        t0 = cands[0][0].t
        for g, ls in cands:
            if g.t - t0 >= after:
                return g, ls
        return cands[len(cands) // 2]

    # The services below the gateway log only the trace context, never the request id.
    rid_keys = set()
    for name in os.listdir(os.path.join(out, "logs")):
        if name == "gateway.log":
            continue
        for raw in open(os.path.join(out, "logs", name)):
            if raw.startswith("{"):
                rid_keys |= {k for k in json.loads(raw) if re.search(r"(?i)request.?id|correlation", k)}
    check("trace-only", not rid_keys, f"request-id keys below the gateway: {sorted(rid_keys) or 'none'}")
    # Every request the gateway passed on reached a service under its trace id, unless the
    # connection was refused or reset.
    passed = [g for g in gw_done if g.status not in (400, 401) and g.trace]
    unreached = {l.rid for l in lines if l.svc == "gateway" and "request failed" in l.msg}
    missing = [g for g in passed if g.rid not in unreached and not any(l.svc != "gateway" for l in by_trace[g.trace])]
    check("trace-propagation", not missing,
          f"{len(passed)} requests passed on, {len(unreached)} never reached a service, {len(missing)} without downstream lines")

    cases = []

    # 1. The canary: ArithmeticException on payments-1 only, between the canary deploy and its rollback.
    arith = [l for l in lines if l.svc == "payments" and l.etype == "java.lang.ArithmeticException"]
    check("canary-errors", len(arith) >= 3 and all(l.host == "payments-1" and l.version == "3.4.0" for l in arith),
          f"{len(arith)} ArithmeticExceptions on {sorted({(l.host, l.version) for l in arith})}")
    check("canary-window", bool(arith) and all(canary["t"] < l.t < rollback["t"] for l in arith),
          "all between the canary deploy and the rollback" if arith else "none")
    can = failures_where(lambda ls: any(l.etype == "java.lang.ArithmeticException" for l in ls))
    g, ls = pick(can, 20, "the canary's ArithmeticException")
    users_c = sorted({x.user for x, _ in can})
    active_c = sorted({x.user for x in gw_done if x.route == "POST /api/checkout" and canary["t"] <= x.t <= rollback["t"] and x.user})
    c = base_case("canary", g.rid, f"a customer paying in a foreign currency checks out {g.t - canary['t']:.0f}s after payments 3.4.0 went to payments-1 only; payments-0 (3.3.2) keeps working")
    c.update(cause="deployment-regression", suspect_deploy=deploy_ref(canary),
             affected={"hosts": ["payments-1"], "versions": ["3.4.0"], "endpoints": sorted({x.route for x, _ in can}),
                       "users_affected": len(users_c), "users_active_on_endpoint": len(active_c),
                       "first": stamp(arith[0].t), "last": stamp(arith[-1].t)},
             stopped_after_rollback={"rollback": deploy_ref(rollback), "last_error": stamp(arith[-1].t),
                                     "errors_after_rollback": sum(1 for l in arith if l.t > rollback["t"])})
    check("canary-case", c["root_error"]["service"] == "payments" and c["root_error"]["host"] == "payments-1",
          f"{g.rid}: root {c['root_error']['service']}@{c['root_error']['host']}")
    cases.append(c)

    # 1b. The same request pasted by its trace id.
    c2 = dict(c, name="canary-by-trace-id", pasted_id=c["trace_ids"][0],
              description="the canary case, pasted as the W3C trace id a support tool showed instead of the request id")
    cases.append(c2)

    # 2. The misconfiguration: KeyError 'PROMO_RULES_PATH' in checkout after 5.2.0, on one endpoint.
    key = removed["key"]
    kerr = [l for l in lines if l.svc == "checkout" and l.etype == "KeyError" and key in (l.emsg or "")]
    check("config-errors", len(kerr) >= 2 and all(l.version == "5.2.0" for l in kerr),
          f"{len(kerr)} KeyError '{key}' on versions {sorted({l.version for l in kerr})}")
    # checkout's clock is behind, so compare with its own skew taken out.
    check("config-after-deploy", bool(kerr) and all(l.t - skew["offset_seconds"] > config["t"] for l in kerr), "all after checkout 5.2.0")
    cf = failures_where(lambda ls: any(l.etype == "KeyError" and key in (l.emsg or "") for l in ls))
    check("config-scope", len({x.route for x, _ in cf}) == 1, f"routes {sorted({x.route for x, _ in cf})}")
    g, ls = pick(cf, 15, f"the KeyError for {key}")
    c = base_case("misconfiguration", g.rid, f"a coupon is rejected with a 502 {g.t - config['t']:.0f}s after checkout 5.2.0, whose release dropped {key}")
    c.update(cause="misconfiguration", config_key=key, suspect_deploy=deploy_ref(config),
             affected={"endpoints": sorted({x.route for x, _ in cf}), "users_affected": len({x.user for x, _ in cf}),
                       "hosts": ["checkout-0"], "versions": ["5.2.0"], "first": stamp(kerr[0].t - skew["offset_seconds"])})
    cases.append(c)

    # 3. The crash: the runtime's panic text in inventory's log, then its start-up line.
    blocks = [l for l in lines if l.crash]
    starts = [l for l in lines if l.svc == "inventory" and l.msg == "inventory starting" and l.version == "2.7.1"]
    check("crash-output", len(blocks) == 1 and blocks[0]["text"][0].startswith("panic: runtime error: index out of range"),
          f"{len(blocks)} plain-text blocks, first line {blocks[0]['text'][0] if blocks else None!r}")
    check("crash-exit", len(exits) == 1 and exits[0]["exit_code"] == 2 and len(restarts) == 1,
          f"exits {[e['exit_code'] for e in exits]}, restarts {len(restarts)}")
    restart_line = [s for s in starts if s.t > exits[0]["t"]] if exits else []
    check("crash-restart", len(restart_line) == 1, f"{len(restart_line)} start-up lines after the exit")
    panic = blocks[0]["text"][0] if blocks else ""
    down = (exits[0]["t"], restart_line[0].t) if exits and restart_line else (crash["t"], crash["t"])
    refused = [l for l in lines if l.svc in ("gateway", "checkout") and l.level == "error"
               and re.search(r"ECONNREFUSED|Connection refused|socket hang up|ECONNRESET|Connection reset|RemoteDisconnected",
                             (l.msg or "") + " " + (l.stack or ""))
               and (l.upstream == "inventory" or l.svc == "checkout" and l.msg.startswith("inventory"))]
    check("crash-callers", len(refused) >= 1 and all(down[0] - 3 <= l.t - (skew["offset_seconds"] if l.svc == "checkout" else 0) <= down[1] + 1 for l in refused),
          f"{len(refused)} refused/reset errors at callers, all while inventory was down")
    crash_info = {"service": "inventory", "host": "inventory-0", "panic": panic,
                  "exited": stamp(exits[0]["t"]) if exits else None, "exit_code": exits[0]["exit_code"] if exits else None,
                  "restarted": stamp(restart_line[0].t) if restart_line else None,
                  "down_seconds": round(down[1] - down[0], 3), "trigger_request_id": crash["request_id"],
                  "callers_errors": len(refused)}
    c = base_case("crash", crash["request_id"], "the bulk order that crashed inventory: the gateway's connection was reset mid-request")
    c.update(cause="crash", crashed_service="inventory", crash=crash_info, suspect_deploy=None,
             root_error={"service": "inventory", "host": "inventory-0", "version": "2.7.1", "type": "panic",
                         "message": panic.removeprefix("panic: "), "time": stamp(blocks[0].t) if blocks and blocks[0].t else None,
                         "log_line": f"logs/inventory.log:{blocks[0].n}" if blocks else None},
             not_to_blame=[deploy_ref(failed_rev)])
    check("crash-case", c["status"] is not None and c["status"] >= 500, f"{crash['request_id']}: gateway answered {c['status']}")
    cases.append(c)
    others = [l for l in refused if l.rid != crash["request_id"] and l.svc == "gateway"]
    if others:
        g = others[len(others) // 2]
        c = base_case("crash-refused", g.rid, f"a request {g.t - down[0]:.1f}s after inventory died, while it restarted: connection refused")
        c.update(cause="crash", crashed_service="inventory", crash=crash_info, suspect_deploy=None, not_to_blame=[deploy_ref(failed_rev)])
        cases.append(c)

    # 4. The db: query durations grow during the analyze passes, then checkout's db calls time out.
    vac = [l for l in lines if l.svc == "db" and l.msg.startswith("VACUUM FULL started")]
    vac_end = [l for l in lines if l.svc == "db" and l.msg == "VACUUM FULL finished"]
    # Statements on the table under maintenance (the other table is not locked).
    q = [l for l in lines if l.svc == "db" and l.trace and l.duration is not None and l.table == maint["table"]]
    before = [l.duration for l in q if l.t < maint["t"]]
    during = [l.duration for l in q if maint["t"] <= l.t < (vac[0].t if vac else maint["t"])]

    def p(xs, f):
        xs = sorted(xs)
        return round(xs[min(len(xs) - 1, int(f * len(xs)))], 3) if xs else None

    check("db-slowdown", bool(before) and bool(during) and p(during, 0.95) > 10 * max(p(before, 0.95), 1),
          f"db {maint['table']} p50/p95 {p(before, 0.5)}/{p(before, 0.95)} ms before, {p(during, 0.5)}/{p(during, 0.95)} ms during the analyze passes")
    timeouts = [l for l in lines if l.svc == "checkout" and l.msg == "db call timed out"]
    cancels = [l for l in lines if l.svc == "db" and l.etype == "QueryCanceled"]
    check("db-timeouts", len(timeouts) >= 3 and len(cancels) >= 3 and bool(vac) and bool(vac_end)
          and all(vac[0].t - 3 <= l.t - skew["offset_seconds"] <= vac_end[0].t + 3 for l in timeouts),
          f"{len(timeouts)} checkout db timeouts, {len(cancels)} cancelled statements, all during VACUUM FULL")
    dbf = failures_where(lambda ls: any(l.svc == "checkout" and l.msg == "db call timed out" for l in ls))
    g, ls = pick(dbf, 8, "a db timeout")
    c = base_case("db-timeout", g.rid, f"{g.route} times out in checkout's db call {g.t - gw_deploy['t']:.0f}s after the unrelated gateway 1.12.1 deploy")
    c.update(cause="dependency-failure", dependency="db", suspect_deploy=None, not_to_blame=[deploy_ref(gw_deploy)],
             dependency_latency_ms={"before": {"p50": p(before, 0.5), "p95": p(before, 0.95), "n": len(before)},
                                    "slowdown": {"p50": p(during, 0.5), "p95": p(during, 0.95), "n": len(during)}},
             affected={"endpoints": sorted({x.route for x, _ in dbf}), "users_affected": len({x.user for x, _ in dbf}),
                       "window": [stamp(vac[0].t), stamp(vac_end[0].t)] if vac and vac_end else None})
    cases.append(c)

    # 5. A success through all five services.
    ok = [x for x in gw_done if x.route == "POST /api/checkout" and x.status == 201 and x.t < canary["t"]]
    g, _ = pick([(x, None) for x in ok], 0, "a successful checkout before the canary")
    g = ok[len(ok) // 2]
    c = base_case("success", g.rid, "a checkout that went through gateway, checkout, inventory, payments and db")
    c.update(cause=None, suspect_deploy=None)
    check("success-case", c["root_error"] is None and c["services"] == ["checkout", "db", "gateway", "inventory", "payments"],
          f"{g.rid}: services {c['services']}")
    cases.append(c)

    # 6. An id nobody logged.
    unknown = str(uuid.uuid5(uuid.NAMESPACE_URL, "culprit incident2 " + stamp(traffic[0])))
    assert unknown not in by_rid and unknown not in by_trace
    cases.append({"name": "unknown", "description": "an id that appears in no log", "pasted_id": unknown, "found": False})

    # The clock skew: checkout's clock is behind; measured from request pairs (checkout's span sits
    # inside the gateway's span of the same trace in real time, so the midpoints nearly agree).
    diffs = []
    for g in gw_done:
        if not g.trace:
            continue
        for l in by_trace.get(g.trace, []):
            if l.svc == "checkout" and l.msg == "request completed" and l.duration is not None and g.duration is not None:
                diffs.append((l.t - l.duration / 2000) - (g.t - g.duration / 2000))
    measured = round(statistics.median(diffs), 3) if diffs else None
    check("skew", measured is not None and abs(measured - skew["offset_seconds"]) < 0.2,
          f"checkout's clock measured {measured}s against gateway over {len(diffs)} requests (configured {skew['offset_seconds']})")

    truth = {
        "produced_by": "scripts/incident2/truth.py from logs/ and events.jsonl",
        "traffic": {"start": stamp(traffic[0]), "end": stamp(traffic[1])},
        "clock_skew": {"service": "checkout", "configured_seconds": skew["offset_seconds"], "measured_seconds": measured,
                       "how": skew["how"], "statement": "checkout's clock runs 1.5 s behind gateway"},
        "deploys": [deploy_ref(d) for d in deploys],
        "faults": {
            "canary": {"service": "payments", "deploy": deploy_ref(canary), "rollback": deploy_ref(rollback),
                       "error": "java.lang.ArithmeticException: Non-terminating decimal expansion; no exact representable decimal result.",
                       "count": len(arith)},
            "misconfiguration": {"service": "checkout", "deploy": deploy_ref(config), "key": key, "count": len(kerr)},
            "crash": crash_info,
            "dependency": {"service": "db", "maintenance_started": removed and stamp(maint["t"]),
                           "vacuum": [stamp(vac[0].t), stamp(vac_end[0].t)] if vac and vac_end else None,
                           "timeouts": len(timeouts), "cancelled_statements": len(cancels)},
        },
        "cases": cases,
        "lines": len(lines),
    }
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=2)
        f.write("\n")

    simple = []
    for c in cases:
        exp = {"found": c["found"]}
        if c["found"]:
            exp["services"] = c["services"]
            exp["cause"] = c.get("cause")
            if c.get("root_error"):
                exp["service"] = c["root_error"]["service"]
                exp["error_type"] = c["root_error"]["type"]
            if c.get("suspect_deploy"):
                exp["suspect_service"] = c["suspect_deploy"]["service"]
                exp["suspect_version"] = c["suspect_deploy"]["version"]
            aff = c.get("affected") or {}
            if aff.get("hosts"):
                exp["hosts"], exp["versions"] = aff["hosts"], aff["versions"]
            if aff.get("endpoints"):
                exp["routes"] = aff["endpoints"]
            for k in ("config_key", "crashed_service", "dependency"):
                if c.get(k):
                    exp[k] = c[k]
        simple.append({"name": c["name"], "description": c["description"], "request_id": c["pasted_id"], "expect": exp})
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(simple, f, indent=2)
        f.write("\n")
    print(f"{len(cases)} cases, {len(lines)} lines; {check.failed} checks failed", file=sys.stderr)
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
