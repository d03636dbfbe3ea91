# errors.jq — the peer answer to `culprit errors`: error lines of every
# convention in the generated corpus, grouped by their error message (the
# Python traceback's last line), most frequent first. Run with
#   jq -n -c -f errors.jq DIR/logs/*.jsonl
[inputs
 | select(((.level // ."log.level" // "") | tostring | ascii_downcase) as $l
          | $l == "error" or $l == "50" or $l == "60" or (.severityNumber // 0) >= 17)
 | ((.exception // "") | split("\n") | last) as $py
 | (.err.message // .error // ."error.message" // ."exception.message"
    // (if $py != "" then $py else null end) // .msg // .message // .event // .body)
 | tostring | .[0:160]]
| group_by(.) | map({error: .[0], count: length}) | sort_by(-.count)
