package logline

import "sync/atomic"

// This file fixes the API the ingest pipeline builds on. The implementation
// lives in the other files of the package.

// LevelScaleVerbosity is Mapping.LevelScale for V-levels (0 info, 1+ debug).
const LevelScaleVerbosity = "verbosity"

// LevelScaleLogbook is Mapping.LevelScale for Python Logbook's numbers
// (9 trace, 10 debug, 11 info, 12 notice, 13 warning, 14 error, 15
// critical), which magnitude alone would read as OpenTelemetry's (where 14
// is a warning).
const LevelScaleLogbook = "logbook"

// Mapping says, for one source, where each canonical field (index.Fields) is
// found. It is chosen once per source by Detect and serialised into the
// source's checkpoint so that a resumed source parses the same way.
//
// Parse compiles the mapping on first use; change Paths, Template or
// Overridden only before the first Parse (DefaultService and Convention may
// change at any time).
type Mapping struct {
	// Paths maps a canonical field name to the gjson path that holds it
	// (literal dotted keys escaped, e.g. `log\.level`). Only fields found in
	// the sample (or overridden) are present. Overridden fields keep the
	// path as the user wrote it: without escapes, each dot may be nesting or
	// part of a literal key, the longest literal key first.
	// Fields absent from Paths are still looked for under their usual keys.
	Paths map[string]string `json:"paths"`
	// Convention is the best guess at the logger that wrote the source:
	// "zap", "pino", "ecs", "otel", ... or "json" when none fits, "text"
	// when the sample holds no JSON object.
	Convention string `json:"convention"`
	// DefaultService is used when a line carries no service (the ingest
	// pipeline sets it from the file name).
	DefaultService string `json:"default_service,omitempty"`
	// Overridden lists the canonical fields set by --field.
	Overridden []string `json:"overridden,omitempty"`
	// Template is the gjson path of a message template (Serilog's @mt,
	// .NET's State.{OriginalFormat}) when the source has one: it renders a
	// missing message and groups errors better than the rendered text.
	Template string `json:"template,omitempty"`
	// LevelScale says how numeric levels of unknown scheme are read:
	// LevelScaleVerbosity when the sample's numeric levels are small and
	// mostly 0 (logr/funcr, klog: a V-level, 0 is info), since no source
	// logs mostly emergencies; LevelScaleLogbook when they lie in 9-15 and
	// most are 11 (Logbook's info; OpenTelemetry's info is 9); "" reads
	// them by magnitude.
	LevelScale string `json:"level_scale,omitempty"`

	compiled atomic.Value // *plan, built by the first Parse
}
