// Package input is a one-line text input for the TUI: typing, bracketed
// paste, cursor movement and word deletion, with horizontal scrolling.
// Pasted or typed control characters are dropped, so the value is always
// printable. (bubbles' textinput would pull in a system-clipboard module the
// build does not carry; terminal paste arrives as tea.PasteMsg anyway.)
//
// Allowed imports: the standard library, charm.land/bubbletea/v2,
// charm.land/bubbles/v2/key, charm.land/lipgloss/v2.
package input

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// KeyMap are the editing keys.
type KeyMap struct {
	Left, Right, WordLeft, WordRight, Home, End      key.Binding
	Backspace, Delete, DeleteWordBack, DeleteToStart key.Binding
	DeleteToEnd                                      key.Binding
}

// DefaultKeyMap returns readline-like bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Left:           key.NewBinding(key.WithKeys("left", "ctrl+b")),
		Right:          key.NewBinding(key.WithKeys("right", "ctrl+f")),
		WordLeft:       key.NewBinding(key.WithKeys("alt+left", "ctrl+left", "alt+b")),
		WordRight:      key.NewBinding(key.WithKeys("alt+right", "ctrl+right", "alt+f")),
		Home:           key.NewBinding(key.WithKeys("home", "ctrl+a")),
		End:            key.NewBinding(key.WithKeys("end", "ctrl+e")),
		Backspace:      key.NewBinding(key.WithKeys("backspace", "ctrl+h")),
		Delete:         key.NewBinding(key.WithKeys("delete", "ctrl+d")),
		DeleteWordBack: key.NewBinding(key.WithKeys("ctrl+w", "alt+backspace")),
		DeleteToStart:  key.NewBinding(key.WithKeys("ctrl+u")),
		DeleteToEnd:    key.NewBinding(key.WithKeys("ctrl+k")),
	}
}

// Styles of the input's parts.
type Styles struct {
	Prompt, Text, Placeholder, Cursor lipgloss.Style
}

// Model is the input's state.
type Model struct {
	Prompt      string
	Placeholder string
	CharLimit   int // 0: no limit
	KeyMap      KeyMap
	Styles      Styles

	value  []rune
	pos    int // cursor, in runes
	offset int // first visible rune
	width  int // cells for the text (prompt excluded); 0: unlimited
	focus  bool
}

// New returns an empty, blurred input.
func New() Model {
	return Model{KeyMap: DefaultKeyMap(), CharLimit: 1024}
}

// Focus lets the input take keys and shows its cursor.
func (m *Model) Focus() { m.focus = true }

// Blur stops the input taking keys.
func (m *Model) Blur() { m.focus = false }

// Focused reports whether the input takes keys.
func (m Model) Focused() bool { return m.focus }

// Value returns the text.
func (m Model) Value() string { return string(m.value) }

// SetValue replaces the text (control characters dropped) and puts the
// cursor at its end.
func (m *Model) SetValue(s string) {
	m.value = clean(nil, s, m.CharLimit)
	m.pos = len(m.value)
	m.scroll()
}

// SetWidth sets the total width, prompt included.
func (m *Model) SetWidth(w int) {
	m.width = max(1, w-lipgloss.Width(m.Prompt))
	m.scroll()
}

// Update handles a key press or a paste while focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.focus {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		m.insert(msg.Content)
	case tea.KeyPressMsg:
		k := m.KeyMap
		switch {
		case key.Matches(msg, k.Left):
			m.pos = max(0, m.pos-1)
		case key.Matches(msg, k.Right):
			m.pos = min(len(m.value), m.pos+1)
		case key.Matches(msg, k.WordLeft):
			m.pos = m.wordLeft()
		case key.Matches(msg, k.WordRight):
			m.pos = m.wordRight()
		case key.Matches(msg, k.Home):
			m.pos = 0
		case key.Matches(msg, k.End):
			m.pos = len(m.value)
		case key.Matches(msg, k.Backspace):
			if m.pos > 0 {
				m.value = append(m.value[:m.pos-1:m.pos-1], m.value[m.pos:]...)
				m.pos--
			}
		case key.Matches(msg, k.Delete):
			if m.pos < len(m.value) {
				m.value = append(m.value[:m.pos:m.pos], m.value[m.pos+1:]...)
			}
		case key.Matches(msg, k.DeleteWordBack):
			w := m.wordLeft()
			m.value = append(m.value[:w:w], m.value[m.pos:]...)
			m.pos = w
		case key.Matches(msg, k.DeleteToStart):
			m.value = append([]rune(nil), m.value[m.pos:]...)
			m.pos = 0
		case key.Matches(msg, k.DeleteToEnd):
			m.value = m.value[:m.pos:m.pos]
		default:
			if msg.Text != "" && msg.Mod&(tea.ModCtrl|tea.ModAlt|tea.ModSuper) == 0 {
				m.insert(msg.Text)
			}
		}
	}
	m.scroll()
	return m, nil
}

// insert puts s at the cursor. Newlines and tabs become spaces; other
// control characters are dropped.
func (m *Model) insert(s string) {
	limit := 0
	if m.CharLimit > 0 {
		limit = m.CharLimit - len(m.value)
		if limit <= 0 {
			return
		}
	}
	ins := clean(nil, s, limit)
	v := make([]rune, 0, len(m.value)+len(ins))
	v = append(v, m.value[:m.pos]...)
	v = append(v, ins...)
	v = append(v, m.value[m.pos:]...)
	m.value = v
	m.pos += len(ins)
}

func clean(dst []rune, s string, limit int) []rune {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
	for _, r := range s {
		if limit > 0 && len(dst) >= limit {
			break
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			continue
		}
		dst = append(dst, r)
	}
	return dst
}

func (m Model) wordLeft() int {
	i := m.pos
	for i > 0 && unicode.IsSpace(m.value[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(m.value[i-1]) {
		i--
	}
	return i
}

func (m Model) wordRight() int {
	i := m.pos
	for i < len(m.value) && unicode.IsSpace(m.value[i]) {
		i++
	}
	for i < len(m.value) && !unicode.IsSpace(m.value[i]) {
		i++
	}
	return i
}

// scroll keeps the cursor inside the visible window.
func (m *Model) scroll() {
	m.pos = max(0, min(m.pos, len(m.value)))
	if m.width <= 0 {
		m.offset = 0
		return
	}
	if m.pos < m.offset {
		m.offset = m.pos
	}
	if m.pos >= m.offset+m.width {
		m.offset = m.pos - m.width + 1
	}
	m.offset = max(0, min(m.offset, len(m.value)))
}

// View draws the prompt, the visible part of the text and, when focused,
// the cursor as a reversed cell.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(m.Styles.Prompt.Render(m.Prompt))
	if len(m.value) == 0 {
		if m.focus {
			first, rest := " ", ""
			if m.Placeholder != "" {
				r := []rune(m.Placeholder)
				first, rest = string(r[0]), string(r[1:])
			}
			b.WriteString(m.Styles.Cursor.Render(first))
			b.WriteString(m.Styles.Placeholder.Render(rest))
		} else {
			b.WriteString(m.Styles.Placeholder.Render(m.Placeholder))
		}
		return b.String()
	}
	end := len(m.value)
	if m.width > 0 {
		end = min(end, m.offset+m.width)
	}
	vis := m.value[m.offset:end]
	if !m.focus {
		b.WriteString(m.Styles.Text.Render(string(vis)))
		return b.String()
	}
	c := m.pos - m.offset
	b.WriteString(m.Styles.Text.Render(string(vis[:c])))
	if c < len(vis) {
		b.WriteString(m.Styles.Cursor.Render(string(vis[c])))
		b.WriteString(m.Styles.Text.Render(string(vis[c+1:])))
	} else {
		b.WriteString(m.Styles.Cursor.Render(" "))
	}
	return b.String()
}
