package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// timerMsg is what a timer Cmd yields in tests: drain leaves it alone, so
// tests decide when a debounce or status expiry fires.
type timerMsg struct {
	d   time.Duration
	msg tea.Msg
}

func fakeTick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg { return timerMsg{d: d, msg: fn(fixedNow)} }
}

// newTestModel builds the model over b with a fixed clock, fake timers,
// colour and UTF-8 (or ASCII), sized w×h.
func newTestModel(tb testing.TB, b Backend, w, h int, opts ...func(*common)) Model {
	tb.Helper()
	c := &common{
		ctx: context.Background(), b: b, st: newStyles(false, false), keys: newKeyMap(false),
		now: func() time.Time { return fixedNow }, tick: fakeTick,
	}
	for _, o := range opts {
		o(c)
	}
	m := newModel(c, Options{Now: c.now})
	m, _ = step(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func asciiOpt(c *common) {
	c.ascii = true
	c.st = newStyles(false, true)
	c.keys = newKeyMap(true)
}

// step sends one message.
func step(m Model, msg tea.Msg) (Model, tea.Cmd) {
	nm, cmd := m.Update(msg)
	return nm.(Model), cmd
}

// result of draining Cmds.
type drained struct {
	timers []timerMsg
	msgs   []tea.Msg // every message the Cmds produced, in order
	quit   bool
}

// drain runs cmd and every Cmd that follows from it, feeding their
// messages to the model, until none is left. Timers and spinner ticks are
// collected, not run.
func drain(tb testing.TB, m Model, cmd tea.Cmd) (Model, drained) {
	tb.Helper()
	var d drained
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 10000 {
			tb.Fatal("drain: Cmds do not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case timerMsg:
			d.timers = append(d.timers, msg)
			continue
		case spinner.TickMsg:
			continue
		case tea.QuitMsg:
			d.quit = true
			continue
		}
		d.msgs = append(d.msgs, msg)
		var next tea.Cmd
		m, next = step(m, msg)
		queue = append(queue, next)
	}
	return m, d
}

// send sends msg and drains what follows.
func send(tb testing.TB, m Model, msg tea.Msg) (Model, drained) {
	tb.Helper()
	m, cmd := step(m, msg)
	return drain(tb, m, cmd)
}

// started is the model after Init has been drained.
func started(tb testing.TB, b Backend, w, h int, opts ...func(*common)) Model {
	tb.Helper()
	m := newTestModel(tb, b, w, h, opts...)
	m, _ = drain(tb, m, m.Init())
	return m
}

func keyPress(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(s)
	if len(r) != 1 {
		panic("keyPress: unknown key " + s)
	}
	code := r[0]
	k := tea.KeyPressMsg{Code: code, Text: s}
	if code >= 'A' && code <= 'Z' {
		k.Code, k.ShiftedCode, k.Mod = code+('a'-'A'), code, tea.ModShift
	}
	return k
}

// typeText types s key by key.
func typeText(tb testing.TB, m Model, s string) (Model, drained) {
	tb.Helper()
	var all drained
	for _, r := range s {
		var d drained
		m, d = send(tb, m, keyPress(string(r)))
		all.timers = append(all.timers, d.timers...)
		all.msgs = append(all.msgs, d.msgs...)
	}
	return m, all
}

// screenText is the view without styles.
func screenText(m Model) string {
	return ansi.Strip(m.View().Content)
}

// checkLayout fails unless the view is exactly w×h cells at most: h lines,
// none wider than w, and no raw control characters besides newlines.
func checkLayout(tb testing.TB, m Model, w, h int) {
	tb.Helper()
	v := m.View().Content
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		tb.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			tb.Errorf("line %d is %d cells wide, want <= %d: %q", i, lw, w, ansi.Strip(l))
		}
		plain := ansi.Strip(l)
		for _, r := range plain {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				tb.Errorf("line %d holds control character %U: %q", i, r, plain)
				break
			}
		}
	}
}

var _ = fmt.Sprint

func pasteMsg(s string) tea.PasteMsg { return tea.PasteMsg{Content: s} }
