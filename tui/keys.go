package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyMap is every binding of the TUI. Update matches keys only with
// key.Matches against these, and the help view is built from them.
type keyMap struct {
	Quit, ForceQuit, Help, Back, Enter   key.Binding
	NextPane, PrevPane                   key.Binding
	Up, Down, Left, Right                key.Binding
	PageUp, PageDown, Top, Bottom        key.Binding
	Input, CopyID, CopyStack, First      key.Binding
	Share, Save, Context, Command        key.Binding
	Compare, Order, Follow, Pause        key.Binding
	ArrowUp, ArrowDown                   key.Binding // leave an input
	Explore, NextErr, PrevErr, RangeHelp key.Binding
	Ranges                               [len(timeRanges)]key.Binding
}

// newKeyMap builds the bindings; ascii relabels the arrows in the help.
func newKeyMap(ascii bool) keyMap {
	k := keyMap{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		NextPane:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevPane:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		ArrowUp:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		ArrowDown: key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
		Left:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "left")),
		Right:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "right")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+d", "space"), key.WithHelp("pgdn", "page down")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Input:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "edit query")),
		CopyID:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy request id")),
		CopyStack: key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy error")),
		Share:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "share (md)")),
		Save:      key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "save as markdown")),
		Context:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "context ±30s")),
		Command:   key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "filter command line")),
		Compare:   key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "before/after deploy")),
		Order:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "oldest/newest first")),
		Follow:    key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "follow new lines")),
		Pause:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume live updates")),
		First:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "open first request")),
		Explore:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "explore")),
		NextErr:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next error")),
		PrevErr:   key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous error")),
		RangeHelp: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1-5", "range 15m/1h/6h/24h/all")),
	}
	if ascii {
		for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Left, &k.Right, &k.ArrowUp, &k.ArrowDown} {
			b.SetHelp(strings.NewReplacer("↑", "up", "↓", "down", "←", "left", "→", "right").Replace(b.Help().Key), b.Help().Desc)
		}
	}
	for i, r := range timeRanges {
		d := string(rune('1' + i))
		k.Ranges[i] = key.NewBinding(key.WithKeys(d), key.WithHelp(d, "last "+r.label))
	}
	return k
}

// bindings feeds bubbles/help: the short line and the full columns.
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (b bindings) ShortHelp() []key.Binding { return b.short }

// FullHelp implements help.KeyMap.
func (b bindings) FullHelp() [][]key.Binding { return b.full }

func (k keyMap) homeHelp(typing bool) bindings {
	nav := []key.Binding{k.Up, k.Down, k.Enter, k.NextPane}
	b := bindings{
		full: [][]key.Binding{
			{k.Enter, k.Input, k.NextPane, k.Up, k.Down},
			{withHelp(k.Explore, "explore the group's lines"), k.Pause, k.Help, k.Back, k.Quit, k.ForceQuit},
		},
	}
	if typing {
		b.short = []key.Binding{withHelp(k.Enter, "investigate / search"), withHelp(k.ArrowDown, "error groups"), withHelp(k.Help, "help (empty input)"), k.ForceQuit}
	} else {
		b.short = append(nav, withHelp(k.Explore, "explore group"), k.Input, k.Help, k.Quit)
	}
	return b
}

func (k keyMap) investigationHelp() bindings {
	return bindings{
		short: []key.Binding{k.NextPane, k.Down, k.Enter, k.Compare, k.Share, k.CopyStack, k.CopyID, k.First, k.Explore, k.Back, k.Help},
		full: [][]key.Binding{
			{k.NextPane, k.PrevPane, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, withHelp(k.Left, "scroll left"), withHelp(k.Right, "scroll right")},
			{withHelp(k.Enter, "open: a timeline line, the events with a stack frame, explore a blast-radius row"),
				withHelp(k.Context, "a timeline line's context: same service and host ±30 s")},
			{withHelp(k.Compare, "the service before and after the suspect deploy: rate, status, latency, per version and host"),
				k.CopyID, withHelp(k.CopyStack, "copy the error message and its stack trace"),
				withHelp(k.Share, "copy the investigation as Markdown (OSC 52)"), withHelp(k.Save, "save it as Markdown: culprit-<id>.md"), k.First, withHelp(k.Explore, "explore: this request's lines (timeline), else its error group")},
			{k.Back, k.Help, k.Pause, k.Quit, k.ForceQuit},
		},
	}
}

func (k keyMap) lineHelp() bindings {
	return bindings{
		short: []key.Binding{k.Down, withHelp(k.CopyID, "copy line"), k.Context, withHelp(k.Explore, "request's lines"), k.Back, k.Help},
		full: [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
			{withHelp(k.CopyID, "copy the line (OSC 52)"), withHelp(k.Context, "explore the same service and host ±30 s"), withHelp(k.Explore, "explore the request's lines")},
			{k.Back, k.Help, k.Quit, k.ForceQuit},
		},
	}
}

func (k keyMap) compareHelp() bindings {
	b := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Back, k.Help, k.Quit}
	return bindings{short: b, full: [][]key.Binding{b}}
}

func (k keyMap) notFoundHelp() bindings {
	b := []key.Binding{withHelp(k.Enter, "search this text"), k.Back, k.Help, k.Quit}
	return bindings{short: b, full: [][]key.Binding{b}}
}

func (k keyMap) exploreHelp(typing bool) bindings {
	b := bindings{
		full: [][]key.Binding{
			{k.Input, withHelp(k.Enter, "run query / open request / add filter"), k.NextPane, k.PrevPane},
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Left, k.Right},
			{k.NextErr, k.PrevErr, k.RangeHelp, k.CopyID, withHelp(k.Context, "the selected line's context: same service and host ±30 s"), k.Order, k.Follow, k.Pause},
			{k.Back, k.Help, k.Quit, k.ForceQuit},
		},
	}
	if typing {
		b.short = []key.Binding{withHelp(k.Enter, "run"), k.NextPane, withHelp(k.ArrowDown, "results"), k.Back, k.ForceQuit}
	} else {
		b.short = []key.Binding{k.Enter, k.NextPane, k.NextErr, k.RangeHelp, k.Input, k.Back, k.Help}
	}
	return b
}

func (k keyMap) helpHelp() bindings {
	return bindings{short: []key.Binding{withHelp(k.Down, "scroll"), withHelp(k.Help, "close help"), withHelp(k.Back, "close help"), k.Quit}}
}

// withHelp returns a copy of b with another help text: withHelp(b, desc)
// keeps the key label, withHelp(b, key, desc) replaces both.
func withHelp(b key.Binding, s ...string) key.Binding {
	switch len(s) {
	case 1:
		b.SetHelp(b.Help().Key, s[0])
	case 2:
		b.SetHelp(s[0], s[1])
	}
	return b
}

// scrollKey applies a scrolling key (a line or a page up or down, top,
// bottom) to the offset of a pane of n lines showing vis of them; ok is
// false for any other key.
func scrollKey(kp tea.KeyPressMsg, k keyMap, off, n, vis int) (_ int, ok bool) {
	switch {
	case key.Matches(kp, k.Down):
		return clampOffset(off+1, n, vis), true
	case key.Matches(kp, k.Up):
		return clampOffset(off-1, n, vis), true
	case key.Matches(kp, k.PageDown):
		return clampOffset(off+max(vis-1, 1), n, vis), true
	case key.Matches(kp, k.PageUp):
		return clampOffset(off-max(vis-1, 1), n, vis), true
	case key.Matches(kp, k.Top):
		return 0, true
	case key.Matches(kp, k.Bottom):
		return clampOffset(n, n, vis), true
	}
	return off, false
}
