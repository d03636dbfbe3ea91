package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// screens opens each screen of the TUI from a started model.
var goldenScreens = []struct {
	name  string
	empty bool // over an empty index
	open  func(t *testing.T, m Model) Model
}{
	{"home", false, func(t *testing.T, m Model) Model { return m }},
	{"home_list", false, func(t *testing.T, m Model) Model { m, _ = send(t, m, keyPress("down")); return m }},
	{"investigation", false, func(t *testing.T, m Model) Model { m, _ = send(t, m, pasteMsg(regression)); return m }},
	{"investigation_outage", false, func(t *testing.T, m Model) Model { m, _ = send(t, m, pasteMsg(outageReq)); return m }},
	{"investigation_success", false, func(t *testing.T, m Model) Model { m, _ = send(t, m, pasteMsg(successReq)); return m }},
	{"explore", false, func(t *testing.T, m Model) Model {
		m, _ = send(t, m, openExploreMsg{query: "failed"})
		m, _ = send(t, m, keyPress("j"))
		return m
	}},
	{"explore_follow", false, func(t *testing.T, m Model) Model {
		// Following, scrolled away, 3 lines arrived. A backend of its own:
		// the lines are added to it (the model was started on the same data).
		f := newFake()
		m.c.b = f
		appendProbes(f, 20)
		m, _ = send(t, m, liveTickMsg{})
		m, _ = send(t, m, openExploreMsg{query: "probe"})
		m, _ = send(t, m, keyPress("F"))
		m, _ = send(t, m, keyPress("j"))
		appendProbes(f, 3)
		m, _ = send(t, m, liveTickMsg{})
		return m
	}},
	{"investigation_new", false, func(t *testing.T, m Model) Model {
		// 5 occurrences of the group arrived while it was open.
		f := newFake()
		m.c.b = f
		m, _ = send(t, m, pasteMsg(regression))
		growGroup(f)
		m, _ = send(t, m, liveTickMsg{})
		return m
	}},
	{"home_paused", false, func(t *testing.T, m Model) Model {
		m, _ = send(t, m, keyPress("down"))
		m, _ = send(t, m, keyPress("p"))
		return m
	}},
	{"help", false, func(t *testing.T, m Model) Model {
		m, _ = send(t, m, pasteMsg(regression))
		m, _ = send(t, m, keyPress("?"))
		return m
	}},
	{"empty_index", true, func(t *testing.T, m Model) Model { return m }},
	{"unknown_id", false, func(t *testing.T, m Model) Model { m, _ = send(t, m, pasteMsg(unknownReq)); return m }},
}

func TestViewGolden(t *testing.T) {
	for _, s := range goldenScreens {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", s.name, sz[0], sz[1]), func(t *testing.T) {
				var b Backend = newFake()
				if s.empty {
					b = &emptyBackend{*newFake()}
				}
				m := s.open(t, started(t, b, sz[0], sz[1]))
				checkLayout(t, m, sz[0], sz[1])
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

// TestViewGoldenASCII: a terminal whose locale is not UTF-8 gets ASCII
// charts, rules and markers.
func TestViewGoldenASCII(t *testing.T) {
	for _, s := range goldenScreens[:3] {
		t.Run(s.name, func(t *testing.T) {
			m := s.open(t, started(t, newFake(), 80, 24, asciiOpt))
			out := screenText(m)
			for i, r := range out {
				if r > 0x7e {
					t.Fatalf("non-ASCII %q at byte %d of the ASCII view:\n%s", r, i, out)
				}
			}
			golden.RequireEqual(t, out)
		})
	}
}

// sgrColor matches an SGR sequence that sets a colour.
var sgrColor = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

func hasColor(s string) bool {
	for _, m := range sgrColor.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			var n int
			fmt.Sscan(p, &n)
			if (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107) {
				return true
			}
		}
	}
	return false
}

func TestNoColor(t *testing.T) {
	noColor := func(c *common) { c.st = newStyles(true, false) }
	for _, s := range goldenScreens {
		t.Run(s.name, func(t *testing.T) {
			var b Backend = newFake()
			if s.empty {
				b = &emptyBackend{*newFake()}
			}
			colored := s.open(t, started(t, b, 120, 40))
			plain := s.open(t, started(t, b, 120, 40, noColor))
			if !hasColor(colored.View().Content) && !s.empty {
				t.Fatal("the colour view has no colour: the check below proves nothing")
			}
			if hasColor(plain.View().Content) {
				t.Errorf("NoColor view sets colours: %q", plain.View().Content)
			}
			if screenText(plain) != screenText(colored) {
				t.Error("NoColor changes the text, not just the colours")
			}
		})
	}
}

func TestUTF8Locale(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "en_US.UTF-8"}, true},
		{map[string]string{"LANG": "C.utf8"}, true},
		{map[string]string{"LANG": "C"}, false},
		{map[string]string{}, false},
		{map[string]string{"LC_ALL": "C", "LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LC_CTYPE": "en_US.UTF-8", "LANG": "C"}, true},
		{map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "C"}, true},
	}
	for _, c := range cases {
		if got := utf8Locale(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("utf8Locale(%v) = %v, want %v", c.env, got, c.want)
		}
	}
}
