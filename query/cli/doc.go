// Package cli is culprit's command line: one file per command (ingest,
// request, errors, search, deploys, status, tui, demo), each with an options
// struct holding its flag values and the injected process (Env), and a run
// function that does the work and returns an error.
//
// The policies every command shares live in one place each: output (TTY or
// pipe, text or JSON, colour, width) in output.go, time ranges in
// timerange.go, how the index is opened in store.go, and the exit code,
// chosen from typed errors, in exit.go. main only builds an Env from the
// process, calls Run and exits with its code, so every command runs
// in-process in tests with buffers for its streams.
//
// Allowed imports: the standard library, cobra, and culprit's index (with
// index/model), ingest, query (with query/chart) and tui packages.
package cli
