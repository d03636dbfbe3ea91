#!/usr/bin/env bash
# verdicts.sh — how often culprit's answer matches what the generator planted.
#
# For every bug in the corpus's truth.json, asks `culprit request - --json`
# (NDJSON, one report per id) about its sample requests and compares, per
# request: the verdict with the verdict docs/design.md's rule order expects
# (truth's expected_verdict), the group's first request with the bug's first
# request, and the suspect deploy with the deploy that introduced the bug
# (regressions only). Not a timing: a fast wrong answer is not a result.
#
# Environment: LINES (default 1000000), INDEX (default $WORK/idx-LINES, made
# by ingest.sh), plus WORK, SEED, BIN (see lib.sh).
# Output: a table on stdout, $WORK/results/verdicts-LINES.json.
source "$(dirname "$0")/lib.sh"

LINES=${LINES:-1000000}
need jq
build_culprit
D=$(corpus "$LINES")
IDX=${INDEX:-$WORK/idx-$LINES}
[ -d "$IDX" ] || die "no index at $IDX: run scripts/bench/ingest.sh $LINES first"
OUT="$WORK/results/verdicts-$LINES"

jq -r '.bugs[] | .sample_request_ids[]?' "$D/truth.json" >"$OUT.ids"
[ -s "$OUT.ids" ] || die "truth.json lists no sample requests"
# Exit code 1 means some id was not found; the reports still say so.
CULPRIT_INDEX=$IDX "$BIN" request - --json <"$OUT.ids" >"$OUT.ndjson" || [ $? -eq 1 ] || die "culprit request - failed"

jq -n --slurpfile truth "$D/truth.json" '
  [inputs | {key: .request_id, value: .}] | from_entries as $rep
  | [$truth[0].bugs[] | . as $b | .sample_request_ids[]? | $rep[.] as $r | {
      bug: $b.name, id: ., expected: $b.expected_verdict,
      got: ($r.verdict.cause // (if $r.found then "none" else "not found" end)),
      first_ok: (($r.group.first_request_id // "") == $b.first_request_id),
      deploy_ok: (if $b.introduced_by == null then null
                  else (($r.deploy.service // "") == $b.introduced_by.service and ($r.deploy.version // "") == $b.introduced_by.version) end)
    }]
  | {requests: length,
     verdict_ok: map(select(.got == .expected)) | length,
     first_request_ok: map(select(.first_ok)) | length,
     regressions: map(select(.deploy_ok != null)) | length,
     suspect_deploy_ok: map(select(.deploy_ok == true)) | length,
     rows: .}' "$OUT.ndjson" >"$OUT.json"

jq -r '
  "| bug | expected | culprit | first request | suspect deploy |",
  "|---|---|---|---|---|",
  (.rows | group_by(.bug)[] | . as $g | $g[0] as $x
   | "| \($x.bug) | \($x.expected) | \([$g[].got] | unique | join(", ")) (\([$g[] | select(.got == .expected)] | length)/\(length)) | \([$g[] | select(.first_ok)] | length)/\(length) | \(if $x.deploy_ok == null then "-" else "\([$g[] | select(.deploy_ok)] | length)/\(length)" end) |"),
  "",
  "verdict right for \(.verdict_ok)/\(.requests) requests; first request right for \(.first_request_ok)/\(.requests); suspect deploy right for \(.suspect_deploy_ok)/\(.regressions) regression requests"' "$OUT.json"
log "details: $OUT.json"
