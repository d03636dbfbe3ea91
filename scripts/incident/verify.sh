#!/usr/bin/env bash
# verify.sh [DIR]: check a generated incident (default testdata/incident) with
# jq against what the scenario promises. Prints one line per check; exits 1 if
# any check fails.
set -euo pipefail
dir=${1:-testdata/incident}
L=$dir/logs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each service's lines in its own convention -> {svc,line,t,rid,level,msg,route,status,user,version,err,stack}.
jq -c '
  def iso: (sub("\\.[0-9]+Z$"; "Z") | fromdate) + ((capture("\\.(?<f>[0-9]+)Z$").f // "0") | "0." + . | tonumber);
  if input_filename | endswith("gateway.jsonl") then
    {svc: "gateway", t: (.time / 1000), rid: .req.id,
     level: ({"10":"trace","20":"debug","30":"info","40":"warn","50":"error","60":"fatal"}[.level | tostring]),
     msg, status: .res.statusCode, user: .user_id, version, err: .err.message, stack: .err.stack,
     route: (if .req then .req.method + " " + (.req.url | split("?")[0]) else null end)}
  elif input_filename | endswith("orders.jsonl") then
    {svc: "orders", t: (.time | iso), rid: .request_id, level: (.level | ascii_downcase), msg, route,
     status, user: .user_id, version, err: .error, stack}
  elif input_filename | endswith("inventory.jsonl") then
    {svc: "inventory", t: (.timestamp | iso), rid: .request_id, level, msg: .event, route, status,
     user: .user_id, version, stack: .exception,
     err: (if .exception then .exception | split("\n") | last else null end)}
  else
    {svc: "db", t: (.time | fromdate), rid: .request_id, level, msg: .message, version}
  end' "$L"/gateway.jsonl "$L"/orders.jsonl "$L"/inventory.jsonl "$L"/db.jsonl >"$tmp/all.jsonl"
jq -s 'sort_by(.t)' "$tmp/all.jsonl" >"$tmp/all.json"

fail=0
check() { # NAME true|false DETAIL
  if [ "$2" = true ]; then printf 'ok    %-22s %s\n' "$1" "$3"; else printf 'FAIL  %-22s %s\n' "$1" "$3"; fail=1; fi
}
iso='def iso: (sub("\\.[0-9]+Z$"; "Z") | fromdate) + ((capture("\\.(?<f>[0-9]+)Z$").f // "0") | "0." + . | tonumber);'
q() { jq -r --slurpfile tl "$dir/timeline.json" "$iso $1" "$tmp/all.json"; }

# 1. Every request the gateway passed on appears downstream too.
IFS=$'\t' read -r n missing < <(q '
  (map(select(.svc != "gateway" and .rid != null) | .rid) | unique) as $down
  | [.[] | select(.svc == "gateway" and .status != null and .status != 401)] as $g
  | "\($g | length)\t\([$g[] | select(.rid as $r | $down | bsearch($r) < 0)] | length)"')
check cross-service "$([ "$missing" = 0 ] && echo true || echo false)" "$n gateway requests, $missing without downstream lines"

# 2. The root error is logged before the gateway's wrapper.
IFS=$'\t' read -r wrappers noroot later ties < <(q '
  (map(select(.svc != "gateway" and .level == "error" and .err != null)) | group_by(.rid)
   | map({key: .[0].rid, value: (min_by(.t).t)}) | from_entries) as $root
  | [.[] | select(.svc == "gateway" and (.msg | startswith("upstream ")))] as $w
  | [$w[] | {t, r: $root[.rid]}] as $p
  | "\($p | length)\t\([$p[] | select(.r == null)] | length)\t\([$p[] | select(.r != null and .t < ((.r * 1000 | floor) / 1000))] | length)\t\([$p[] | select(.r != null and .t == ((.r * 1000 | floor) / 1000))] | length)"')
check root-before-wrapper "$([ "$noroot" = 0 ] && [ "$later" = 0 ] && echo true || echo false)" \
  "$wrappers wrappers: $noroot without a downstream root error, $later logged before it, $ties in the same millisecond (pino logs whole ms)"

# 3. The regression: only after orders 1.9.0, only GET /api/orders/{id}, only some users.
q '($tl[0].deploys[] | select(.service == "orders" and .version == "1.9.0") | .time | iso) as $d
  | ($tl[0].outage.start | iso) as $os
  | [.[] | select(.svc == "orders" and ((.stack // "") | contains("main.loyaltyDiscount")))] as $p
  | [.[] | select(.svc == "orders" and .route == "GET /api/orders/{id}" and .msg == "request completed" and .t >= $d)] as $all
  | {n: ($p | length), before: ([$p[] | select(.t < $d)] | length), first: (($p | min_by(.t).t) - $d),
     routes: ($p | map(.route) | unique), versions: ($p | map(.version) | unique),
     users: ($p | map(.user) | unique), active: ($all | map(.user) | unique | length),
     pre_outage: ([$p[] | select(.t < $os)] | length)}' >"$tmp/reg.json"
IFS=$'\t' read -r n before first routes versions users active pre ulist < <(jq -r '"\(.n)\t\(.before)\t\(.first)\t\(.routes | join("|"))\t\(.versions | join("|"))\t\(.users | length)\t\(.active)\t\(.pre_outage)\t\(.users | join(","))"' "$tmp/reg.json")
check regression-after "$([ "$n" -gt 3 ] && [ "$before" = 0 ] && [ "$versions" = 1.9.0 ] && echo true || echo false)" \
  "$n panics ($pre before the outage), $before before the deploy, first $(printf '%.1f' "$first")s after it, versions $versions"
check regression-scope "$([ "$routes" = "GET /api/orders/{id}" ] && [ "$users" -lt $((active / 2)) ] && echo true || echo false)" \
      "routes $routes; $users of $active users who opened an order since the deploy: $ulist"
check regression-soon "$(awk -v f="$first" 'BEGIN { print (f > 0 && f < 30) ? "true" : "false" }')" "first panic within 30s of the deploy"

# 4. The outage: connection refused only while the db was down, on most endpoints.
IFS=$'\t' read -r n outside routes active timeouts rlist < <(q '($tl[0].outage.start | iso) as $os
  | ($tl[0].outage.end | iso) as $oe
  | [.[] | select(.svc == "orders" and ((.err // "") | contains("connection refused")))] as $r
  | [.[] | select(.svc == "orders" and ((.err // "") | contains("Timeout exceeded")))] as $to
  | [.[] | select(.svc == "orders" and .msg == "request completed" and .t >= $os and .t <= $oe + 1)] as $active
  | "\($r | length)\t\([$r[] | select(.t < $os or .t > $oe + 1)] | length)\t\($r | map(.route) | unique | length)\t\($active | map(.route) | unique | length)\t\($to | length)\t\($r | map(.route) | unique | join(","))"')
check outage-window "$([ "$n" -gt 10 ] && [ "$outside" = 0 ] && echo true || echo false)" \
  "$n connection-refused errors, $outside outside the outage; $timeouts db timeouts while it recovered"
check outage-scope "$([ $((routes * 2)) -gt "$active" ] && echo true || echo false)" \
  "$routes of $active orders routes active during the outage fail: $rlist"

# 5. The pre-existing error: there from the first minute, and throughout.
IFS=$'\t' read -r n first last routes < <(q '($tl[0].traffic.start | iso) as $ts
  | [.[] | select(.svc == "inventory" and ((.stack // "") | contains("KeyError")))] as $k
  | "\($k | length)\t\(($k | min_by(.t).t) - $ts)\t\(($k | max_by(.t).t) - $ts)\t\($k | map(.route) | unique | join(","))"')
check preexisting "$(awk -v n="$n" -v f="$first" 'BEGIN { print (n >= 3 && f < 60) ? "true" : "false" }')" \
  "$n KeyErrors on $routes, first $(printf '%.0f' "$first")s after traffic started, last at $(printf '%.0f' "$last")s"

# 6. Successes and client errors are there too; list the other error messages.
IFS=$'\t' read -r good client server < <(q '"\([.[] | select(.svc == "gateway" and .status != null and .status < 400)] | length)\t\([.[] | select(.svc == "gateway" and .status != null and .status >= 400 and .status < 500)] | length)\t\([.[] | select(.svc == "gateway" and .status != null and .status >= 500)] | length)"')
check mix "$([ "$good" -gt "$server" ] && [ "$client" -gt 5 ] && echo true || echo false)" \
      "gateway answered $good 2xx, $client 4xx, $server 5xx"
echo "error messages below the gateway (service, message, error):"
q '[.[] | select(.svc != "gateway" and .level == "error" and .err != null)]
   | group_by([.svc, .msg, (.err | gsub("[0-9]+"; "N"))]) | map("  \(length)\t\(.[0].svc)\t\(.[0].msg)\t\(.[0].err | gsub("[0-9]+"; "N"))") | .[]'

size=$(cat "$L"/*.jsonl "$dir"/deploys.* | wc -c)
check size "$([ "$size" -lt 3145728 ] && echo true || echo false)" "logs + deploys: $size bytes"
exit "$fail"
