package logline

import (
	"strings"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/tidwall/gjson"
)

// parseText fills ev from a line that is not a JSON object: the message is
// the line itself, and a leading timestamp and level are used when the line
// starts with them ("2026-11-25T10:00:00Z ERROR ...", "[2026-11-25
// 10:00:00,123] [WARN] ...", python's "2026-11-25 10:00:00,123 - app -
// ERROR - ..."), as is klog's level letter ("E1125 10:00:00.123456 ...",
// which has no year). logfmt lines (time=... level=... request_id=...) give
// their time, level and ids too, and access logs in the common/combined
// format their time, method, path and status.
func parseText(s string, ev *index.Event) {
	ev.Text = true
	ev.Message = s
	if s == "" {
		return
	}
	if looksLogfmt(s) {
		parseLogfmt(s, ev)
		if !ev.Time.IsZero() || ev.Level != "" {
			return
		}
	}
	if parseAccessLog(s, ev) {
		return
	}
	if lv, ok := klogLevel(s); ok {
		ev.Level = lv
		return
	}
	rest := s
	if t, n := leadingTime(rest); n > 0 {
		ev.Time = t
		rest = rest[n:]
	}
	if lv, ok := leadingLevel(rest, !ev.Time.IsZero()); ok {
		ev.Level = lv
		return
	}
	if !ev.Time.IsZero() {
		// "2026-11-25 10:00:00,123 - orders.api - ERROR - msg": a level word
		// in capitals among the next few tokens.
		for k, tok := range strings.Fields(rest) {
			if k >= 4 {
				break
			}
			tok = strings.Trim(tok, "[]():|-")
			if len(tok) >= 4 && isUpper(tok) {
				if lv := levelFromString(tok, levelAuto); lv != "" {
					ev.Level = lv
					return
				}
			}
		}
	}
}

// klogLevel reads the level letter of a klog/glog line: "E1125 10:00:00.123456 ...".
func klogLevel(s string) (string, bool) {
	if len(s) < 15 || s[5] != ' ' || !allDigits(s[1:5]) || s[8] != ':' || s[11] != ':' {
		return "", false
	}
	switch s[0] {
	case 'I':
		return index.LevelInfo, true
	case 'W':
		return index.LevelWarn, true
	case 'E':
		return index.LevelError, true
	case 'F':
		return index.LevelFatal, true
	}
	return "", false
}

// parseAccessLog reads a line in the common or combined log format of
// nginx and Apache: host ident user [time] "METHOD path proto" status size ...
func parseAccessLog(s string, ev *index.Event) bool {
	open := strings.Index(s, " [")
	if open < 0 || open > 64 {
		return false
	}
	closeB := strings.Index(s[open:], `] "`)
	if closeB < 0 {
		return false
	}
	closeB += open
	t, ok := ParseTimeString(s[open+2 : closeB])
	if !ok {
		return false
	}
	rest := s[closeB+3:]
	end := strings.IndexByte(rest, '"')
	if end < 0 {
		return false
	}
	req := strings.Fields(rest[:end])
	fields := strings.Fields(rest[end+1:])
	if len(fields) == 0 {
		return false
	}
	status, ok := intValue(gjson.Result{Type: gjson.String, Str: fields[0]})
	if !ok || status < 100 || status > 599 {
		return false
	}
	ev.Time, ev.Status = t, int(status)
	if len(req) >= 2 && isMethod(req[0]) {
		ev.Method = strings.ToUpper(req[0])
		ev.Path = URLPath(req[1])
	}
	return true
}

// leadingTime finds a timestamp at the start of s, possibly in brackets, as
// one token or as a date and a time token. It returns the bytes consumed.
func leadingTime(s string) (t time.Time, n int) {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	open := byte(0)
	if i < len(s) && (s[i] == '[' || s[i] == '(') {
		open = s[i]
		i++
	}
	start := i
	tok1End := tokenEnd(s, start, open)
	if tok1End == start {
		return time.Time{}, 0
	}
	// A date followed by a time: "2026-11-25 10:00:00,123", perhaps with a
	// zone as a third token: "2026-11-25 10:00:00 +0000".
	if tok1End < len(s) && s[tok1End] == ' ' {
		tok2End := tokenEnd(s, tok1End+1, open)
		if tok2End > tok1End+1 {
			if tok2End < len(s) && s[tok2End] == ' ' {
				tok3End := tokenEnd(s, tok2End+1, open)
				if zone := s[tok2End+1 : tok3End]; tok3End-start <= 48 && isZoneToken(zone) {
					if tt, ok := ParseTimeString(s[start:tok3End]); ok {
						return tt, closeBracket(s, tok3End, open)
					}
				}
			}
			if tt, ok := ParseTimeString(s[start:tok2End]); ok {
				return tt, closeBracket(s, tok2End, open)
			}
		}
	}
	if tok1End-start >= 10 {
		if tt, ok := ParseTimeString(s[start:tok1End]); ok && !isEpochString(s[start:tok1End]) {
			return tt, closeBracket(s, tok1End, open)
		}
	}
	return time.Time{}, 0
}

func isZoneToken(z string) bool {
	if z == "Z" || z == "UTC" || z == "GMT" {
		return true
	}
	return len(z) >= 3 && len(z) <= 6 && (z[0] == '+' || z[0] == '-') && isDigit(z[1])
}

func tokenEnd(s string, i int, open byte) int {
	for i < len(s) {
		c := s[i]
		if c == ' ' || c == '\t' || (open == '[' && c == ']') || (open == '(' && c == ')') {
			break
		}
		i++
	}
	return i
}

func closeBracket(s string, i int, open byte) int {
	if open != 0 && i < len(s) && (s[i] == ']' || s[i] == ')') {
		i++
	}
	return i
}

// leadingLevel reads a level word at the start of s: bracketed ([ERROR],
// <warn>), followed by a colon (ERROR:root:msg, python's basicConfig), or
// bare. Without a timestamp before it, a bare word must be upper case so that
// "Error connecting..." is not taken for a level.
func leadingLevel(s string, afterTime bool) (string, bool) {
	s = strings.TrimLeft(s, " \t|-:")
	if s == "" {
		return "", false
	}
	bracketed := s[0] == '[' || s[0] == '<' || s[0] == '('
	if bracketed {
		s = s[1:]
	}
	end := 0
	for end < len(s) && end < 16 {
		c := s[end]
		if !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') {
			break
		}
		end++
	}
	if end < 2 || end >= 16 {
		return "", false
	}
	word := s[:end]
	next := byte(' ')
	if end < len(s) {
		next = s[end]
	}
	switch next {
	case ' ', '\t', ':', ']', '>', ')', '|', ',':
	default:
		return "", false
	}
	if !bracketed && !afterTime && !isUpper(word) {
		return "", false
	}
	lv := levelFromString(word, levelAuto)
	return lv, lv != ""
}

// looksLogfmt reports lines of key=value pairs with a time or level key.
func looksLogfmt(s string) bool {
	return strings.Contains(s, "level=") || strings.Contains(s, "time=") ||
		strings.Contains(s, "ts=") || strings.Contains(s, "lvl=")
}

// parseLogfmt reads the time, level and identifying fields of a logfmt line
// (slog's TextHandler, logrus' TextFormatter, go-kit).
func parseLogfmt(s string, ev *index.Event) {
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t")
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return
		}
		key := s[:eq]
		if strings.ContainsAny(key, " \t\"") {
			// not a key: skip the word
			sp := strings.IndexAny(s, " \t")
			if sp < 0 {
				return
			}
			s = s[sp:]
			continue
		}
		s = s[eq+1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				val, s = s[1:], ""
			} else {
				raw := s[:end+1]
				val = gjson.Parse(raw).Str
				if val == "" {
					val = raw[1 : len(raw)-1]
				}
				s = s[end+1:]
			}
		} else {
			sp := strings.IndexAny(s, " \t")
			if sp < 0 {
				val, s = s, ""
			} else {
				val, s = s[:sp], s[sp:]
			}
		}
		switch normKey(key) {
		case "time", "ts", "t", "timestamp", "@timestamp":
			if t, ok := ParseTimeString(val); ok && ev.Time.IsZero() {
				ev.Time = t
			}
		case "level", "lvl", "severity", "loglevel":
			if ev.Level == "" {
				ev.Level = levelFromString(val, levelAuto)
			}
		case "requestid", "reqid", "req.id", "xrequestid", "correlationid":
			if ev.RequestID == "" {
				ev.RequestID = val
			}
		case "service", "app", "service.name":
			if ev.Service == "" {
				ev.Service = val
			}
		case "status", "statuscode":
			if ev.Status == 0 {
				if n, ok := intValue(gjson.Result{Type: gjson.String, Str: val}); ok && n >= 100 && n <= 599 {
					ev.Status = int(n)
				}
			}
		case "method":
			if isMethod(val) && ev.Method == "" {
				ev.Method = strings.ToUpper(val)
			}
		case "path", "url", "uri":
			if ev.Path == "" && (strings.HasPrefix(val, "/") || strings.Contains(val, "://")) {
				ev.Path = URLPath(val)
			}
		case "userid", "user", "uid":
			if ev.User == "" {
				ev.User = val
			}
		case "error", "err":
			if ev.Error == "" {
				ev.Error = val
			}
		}
	}
}
