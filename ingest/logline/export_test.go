package logline

import (
	"strings"

	"github.com/tidwall/gjson"
)

// Test-only entry points: the package's API is Parse and its Event; these
// let the tests state the fingerprint and level rules on bare values.

// Fingerprint is fingerprint over a stack trace given as text.
func Fingerprint(errType, message, stack string) string {
	var st *stackTrace
	if strings.TrimSpace(stack) != "" {
		st = parseStack(stack)
	}
	return fingerprint(errType, message, st)
}

// NormalizeLevel is normalizeLevel with the magnitude heuristic (levelAuto).
func NormalizeLevel(r gjson.Result) string {
	return normalizeLevel(r, levelAuto)
}
