package input

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func press(m Model, keys ...tea.KeyPressMsg) Model {
	for _, k := range keys {
		m, _ = m.Update(k)
	}
	return m
}

func text(s string) tea.KeyPressMsg { return tea.KeyPressMsg{Code: []rune(s)[0], Text: s} }

func TestEditing(t *testing.T) {
	m := New()
	m.Focus()
	m = press(m, text("a"), text("b"), text("c"))
	if m.Value() != "abc" {
		t.Fatalf("value %q, want abc", m.Value())
	}
	m = press(m, tea.KeyPressMsg{Code: tea.KeyLeft}, tea.KeyPressMsg{Code: tea.KeyBackspace}, text("X"))
	if m.Value() != "aXc" {
		t.Fatalf("value %q, want aXc", m.Value())
	}
	m.SetValue("service:orders timeout")
	m = press(m, tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if m.Value() != "service:orders " {
		t.Fatalf("ctrl+w: %q, want the last word deleted", m.Value())
	}
	m = press(m, tea.KeyPressMsg{Code: 'a', Mod: tea.ModCtrl}, tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl})
	if m.Value() != "" {
		t.Fatalf("ctrl+a ctrl+k: %q, want empty", m.Value())
	}
	// Ctrl combinations that are not bound type nothing.
	m = press(m, tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl, Text: "x"})
	if m.Value() != "" {
		t.Fatalf("ctrl+x typed %q", m.Value())
	}
	// Blurred: keys are ignored.
	m.Blur()
	if m = press(m, text("z")); m.Value() != "" {
		t.Fatalf("blurred input took a key: %q", m.Value())
	}
}

func TestPasteDropsControls(t *testing.T) {
	m := New()
	m.Focus()
	m, _ = m.Update(tea.PasteMsg{Content: "abc\x1b]52;c;aGk=\x07\r\ndef\tg"})
	if want := "abc]52;c;aGk= def g"; m.Value() != want {
		t.Fatalf("value %q, want %q", m.Value(), want)
	}
	m.CharLimit = 5
	m.SetValue("0123456789")
	if m.Value() != "01234" {
		t.Fatalf("CharLimit: %q", m.Value())
	}
}

func TestViewScrollsToCursor(t *testing.T) {
	m := New()
	m.Prompt = "> "
	m.Focus()
	m.SetWidth(12) // 10 cells of text
	m.SetValue("abcdefghijklmnopqrstuvwxyz")
	v := ansi.Strip(m.View())
	if v != "> rstuvwxyz " || ansi.StringWidth(v) != 12 {
		t.Fatalf("view %q, want the end of the text and the cursor in 12 cells", v)
	}
	m = press(m, tea.KeyPressMsg{Code: tea.KeyHome})
	if v := ansi.Strip(m.View()); v != "> abcdefghij" {
		t.Fatalf("after home: %q", v)
	}
	m.SetValue("")
	m.Placeholder = "paste an id"
	if v := ansi.Strip(m.View()); v != "> paste an id" {
		t.Fatalf("placeholder view %q", v)
	}
}
