package model

import "strings"

// levelWords is the one table of level names culprit knows: what loggers
// write (ingest reads logs with it) and what users type (--level, the TUI).
// Keys are lower case.
var levelWords = map[string]string{
	"trace": LevelTrace, "trc": LevelTrace, "verbose": LevelTrace,
	"vrb": LevelTrace, "finest": LevelTrace, "finer": LevelTrace,
	"t": LevelTrace, "silly": LevelTrace,

	"debug": LevelDebug, "dbug": LevelDebug, "dbg": LevelDebug,
	"debu": LevelDebug, "fine": LevelDebug, "d": LevelDebug,

	"info": LevelInfo, "information": LevelInfo, "informational": LevelInfo,
	"inf": LevelInfo, "notice": LevelInfo, "i": LevelInfo,
	"config": LevelInfo, "default": LevelInfo, "http": LevelInfo,

	"warn": LevelWarn, "warning": LevelWarn, "wrn": LevelWarn,
	"warni": LevelWarn, "w": LevelWarn,

	"error": LevelError, "err": LevelError, "eror": LevelError,
	"erro": LevelError, "severe": LevelError, "e": LevelError,

	"fatal": LevelFatal, "fata": LevelFatal, "ftl": LevelFatal,
	"critical": LevelFatal, "crit": LevelFatal, "crt": LevelFatal,
	"panic": LevelFatal, "panc": LevelFatal, "dpanic": LevelFatal,
	"emergency": LevelFatal, "emerg": LevelFatal, "alert": LevelFatal,
	"f": LevelFatal,
}

// ParseLevel maps a level name as a logger writes it or a user types it
// (ERROR, warning, err, crit, verbose, ...; case and surrounding spaces do
// not matter) to its canonical name.
func ParseLevel(s string) (string, bool) {
	lv, ok := levelWords[strings.ToLower(strings.TrimSpace(s))]
	return lv, ok
}

// LevelOfLower is ParseLevel for a name already in lower case without
// spaces, given as bytes; it does not allocate (ingest's hot path).
func LevelOfLower(b []byte) (string, bool) {
	lv, ok := levelWords[string(b)]
	return lv, ok
}
