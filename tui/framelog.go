package tui

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// envFrameLog names a hidden environment variable for the benchmark of the
// TUI's responsiveness (scripts/bench/follow.sh -t): when it names a file,
// the TUI appends one line per message it handles:
//
//	kind  screen  name  start_unix_ns  update_ns  view_ns  end_unix_ns
//
// kind is "key" for a key press (name is the key) and "msg" for any other
// message (name is its type); start is when Update began; view_ns is the
// time of the View that drew the frame after it, which ended at end. A key's time to frame is
// the wait for the messages handled before it, its update and its view (the
// renderer then writes the frame at its next tick, at most 1/60 s later);
// the benchmark takes it from the time the key was sent to the end of its
// view.
const envFrameLog = "CULPRIT_TUI_FRAMELOG"

// frameLog wraps the root model and times each message's Update and the
// View that follows it.
type frameLog struct {
	m   Model
	log *frameSink
}

type frameSink struct {
	mu      sync.Mutex
	w       io.Writer
	pending bool // an Update was timed, its View not yet
	kind    string
	name    string
	screen  screen
	start   time.Time
	update  time.Duration
}

// withFrameLog wraps m when envFrameLog names a file it can open; the
// returned close flushes and closes it.
func withFrameLog(m Model) (tea.Model, func()) {
	path := os.Getenv(envFrameLog)
	if path == "" {
		return m, func() {}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return m, func() {}
	}
	return frameLog{m: m, log: &frameSink{w: f}}, func() { f.Close() }
}

func (f frameLog) Init() tea.Cmd { return f.m.Init() }

func (f frameLog) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	kind, name := "msg", fmt.Sprintf("%T", msg)
	if k, ok := msg.(tea.KeyPressMsg); ok {
		kind, name = "key", k.String()
	}
	start := time.Now()
	next, cmd := f.m.Update(msg)
	d := time.Since(start)
	f.m = next.(Model)
	s := f.log
	s.mu.Lock()
	s.pending, s.kind, s.name, s.screen, s.start, s.update = true, kind, name, f.m.screen, start, d
	s.mu.Unlock()
	return f, cmd
}

func (f frameLog) View() tea.View {
	start := time.Now()
	v := f.m.View()
	end := time.Now()
	s := f.log
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending {
		s.pending = false
		fmt.Fprintf(s.w, "%s\t%s\t%s\t%d\t%d\t%d\t%d\n", s.kind, screenName(s.screen), s.name, s.start.UnixNano(), s.update.Nanoseconds(), end.Sub(start).Nanoseconds(), end.UnixNano())
	}
	return v
}

func screenName(s screen) string {
	switch s {
	case screenInvestigation:
		return "investigation"
	case screenExplore:
		return "explore"
	case screenLine:
		return "line"
	case screenCompare:
		return "compare"
	}
	return "home"
}
