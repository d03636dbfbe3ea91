# request.jq — the peer answer to `culprit request ID`: the lines of one
# request, whatever key each convention in the generated corpus keeps the id
# under. Run with
#   jq -c --arg id ID -f request.jq DIR/logs/*.jsonl
select((.req.id? // .request_id // .requestId // ."http.request.id" // .traceId) == $id)
