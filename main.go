// Command culprit finds why a request failed: it ingests structured JSON logs
// and a deploy history into a local index, then shows a request's lines
// across services, the stack trace behind it, the first occurrence of the same
// error, the deploy just before it, the blast radius and a verdict.
//
// main only wires the process to query/cli, which holds the commands: the
// signal context, the streams and what is a terminal, os.Args, and os.Exit
// with the code cli.Run chose (0 found, 1 not found / no results, 2 error,
// 130 interrupted). See docs/cli.md.
package main

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/culprit-dev/culprit/query/cli"
)

// demoData is the sample incident `culprit demo` investigates: logs of three
// real services and their deploy history (testdata/incident/README.md).
//
//go:embed testdata/incident/logs testdata/incident/deploys.json testdata/incident/cases.json
var demoData embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startCPUProfile(os.Getenv("CULPRIT_CPUPROFILE"))
	code := cli.Run(ctx, os.Args[1:], processEnv())
	stopProfile()
	stop()
	os.Exit(code)
}

// processEnv describes this process to the commands.
func processEnv() *cli.Env {
	demo, err := fs.Sub(demoData, "testdata/incident")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	env := &cli.Env{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTTY: isTerminal(os.Stdin), OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr),
		Getenv: os.Getenv,
		Now:    time.Now,
		Demo:   demo,
	}
	if env.OutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			env.Width = w
		}
	}
	return env
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// startCPUProfile writes a CPU profile of the whole run to path when it is
// set (the environment variable CULPRIT_CPUPROFILE: a tool for measuring
// culprit, not a user-facing option; see docs/benchmarks.md). It returns the
// function that ends the profile.
func startCPUProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		os.Stderr.WriteString("culprit: CULPRIT_CPUPROFILE: " + err.Error() + "\n")
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
