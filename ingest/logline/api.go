package logline

// This file fixes the API the ingest pipeline builds on. The implementation
// lives in the other files of the package.

// Mapping says, for one source, where each canonical field (index.Fields) is
// found. It is chosen once per source by Detect and serialised into the
// source's checkpoint so that a resumed source parses the same way.
type Mapping struct {
	// Paths maps a canonical field name to the gjson path that holds it
	// (literal dotted keys escaped, e.g. `log\.level`). Only fields found in
	// the sample (or overridden) are present.
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
}
