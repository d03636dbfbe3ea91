package tui

import (
	"os"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/query/chart"
	"github.com/culprit-dev/culprit/tui/components/input"
)

// glyphs are the non-ASCII characters the TUI draws, with ASCII stand-ins
// for terminals whose locale is not UTF-8.
type glyphs struct {
	Chart     chart.Glyphs
	Rule      string // horizontal rule
	Ellipsis  string
	Marker    string // a deploy on a time axis
	Suspect   string // the suspect deploy
	Root      string // the root error line of a timeline
	Bullet    string
	Cursor    string // selected row
	Arrow     string // services in call order
	Dot       string // separator
	Ellipsize string // placeholder for a row still loading
}

var unicodeGlyphs = glyphs{
	Chart: chart.Unicode, Rule: "─", Ellipsis: "…", Marker: "▼", Suspect: "▶",
	Root: "◆", Bullet: "•", Cursor: "›", Arrow: "→", Dot: "·", Ellipsize: "…",
}

var asciiGlyphs = glyphs{
	Chart: chart.ASCII, Rule: "-", Ellipsis: "~", Marker: "|", Suspect: ">",
	Root: "*", Bullet: "*", Cursor: ">", Arrow: ">", Dot: "|", Ellipsize: "...",
}

// utf8Locale reports whether the locale environment asks for UTF-8, with
// POSIX precedence: LC_ALL, then LC_CTYPE, then LANG. No locale at all is
// the C locale, which is ASCII.
func utf8Locale(getenv func(string) string) bool {
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := getenv(k); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return false
}

// styles holds every style the TUI draws with, built once by newStyles.
// View code only calls Render on these; it never builds a style.
type styles struct {
	G glyphs

	Title, Subtle, Bold, Faint, Heading lipgloss.Style
	Key, Status, StatusErr, Error, OK   lipgloss.Style
	Selected, Focused, Blurred          lipgloss.Style
	New, Suspect, Marker, Bar, Spark    lipgloss.Style

	LevelFatal, LevelError, LevelWarn, LevelInfo, LevelDebug lipgloss.Style

	// Verdict banners by cause.
	CauseDeploy, CauseDependency, CausePreExisting, CauseData, CauseCodePath, CauseUnknown, CauseNone lipgloss.Style
	CauseCrash, CauseConfig                                                                           lipgloss.Style

	StackHeader, StackApp, StackLib lipgloss.Style

	Help  help.Styles
	Input input.Styles
}

// newStyles builds the styles; noColor keeps only bold, faint and reverse.
func newStyles(noColor, ascii bool) *styles {
	s := &styles{G: unicodeGlyphs}
	if ascii {
		s.G = asciiGlyphs
	}
	plain := lipgloss.NewStyle()
	fg := func(c string) lipgloss.Style {
		if noColor {
			return plain
		}
		return plain.Foreground(lipgloss.Color(c))
	}
	banner := func(bg, fgc string) lipgloss.Style {
		if noColor {
			return plain.Reverse(true).Bold(true)
		}
		return plain.Background(lipgloss.Color(bg)).Foreground(lipgloss.Color(fgc)).Bold(true)
	}

	s.Title = fg("13").Bold(true)
	s.Subtle = fg("8")
	s.Blurred = fg("8")
	s.Faint = plain.Faint(true)
	s.Bold = plain.Bold(true)
	s.Heading = fg("12").Bold(true)
	s.Key = fg("14").Bold(true)
	s.Status = fg("10")
	s.StatusErr = fg("9").Bold(true)
	s.Error = fg("9")
	s.OK = fg("10")
	if noColor {
		s.Subtle, s.Blurred = plain.Faint(true), plain.Faint(true)
	}
	s.Selected = plain.Reverse(true)
	s.Focused = fg("14").Bold(true)
	s.New = fg("11").Bold(true)
	s.Suspect = fg("9").Bold(true)
	s.Marker = fg("11").Bold(true)
	s.Bar = fg("12")
	s.Spark = fg("11")

	s.LevelFatal = fg("13").Bold(true)
	s.LevelError = fg("9").Bold(true)
	s.LevelWarn = fg("11")
	s.LevelInfo = fg("12")
	s.LevelDebug = plain.Faint(true)

	s.CauseDeploy = banner("1", "15")
	s.CauseDependency = banner("3", "0")
	s.CausePreExisting = banner("4", "15")
	s.CauseData = banner("5", "15")
	s.CauseCodePath = banner("6", "0")
	s.CauseUnknown = banner("8", "15")
	s.CauseNone = banner("2", "0")
	s.CauseCrash = banner("13", "0")
	s.CauseConfig = banner("11", "0")

	s.StackHeader = fg("9").Bold(true)
	s.StackApp = fg("15").Bold(true)
	s.StackLib = plain.Faint(true)

	s.Help = help.DefaultDarkStyles()
	if noColor {
		s.Help = help.Styles{
			ShortKey: plain.Bold(true), FullKey: plain.Bold(true),
			ShortDesc: plain, FullDesc: plain,
			ShortSeparator: plain.Faint(true), FullSeparator: plain.Faint(true), Ellipsis: plain.Faint(true),
		}
	}
	s.Input = input.Styles{Prompt: s.Key, Text: plain, Placeholder: s.Subtle, Cursor: plain.Reverse(true)}
	return s
}

// level returns the style of a canonical level.
func (s *styles) level(l string) lipgloss.Style {
	switch l {
	case "fatal":
		return s.LevelFatal
	case "error":
		return s.LevelError
	case "warn":
		return s.LevelWarn
	case "info":
		return s.LevelInfo
	default:
		return s.LevelDebug
	}
}

// cause returns the banner style of a verdict cause.
func (s *styles) cause(c string) lipgloss.Style {
	switch c {
	case query.CauseDeployment:
		return s.CauseDeploy
	case query.CauseDependency:
		return s.CauseDependency
	case query.CausePreExisting:
		return s.CausePreExisting
	case query.CauseDataBug:
		return s.CauseData
	case query.CauseCodePath:
		return s.CauseCodePath
	case query.CauseCrash:
		return s.CauseCrash
	case query.CauseMisconfiguration:
		return s.CauseConfig
	case "":
		return s.CauseNone
	default:
		return s.CauseUnknown
	}
}

// causeCell draws a cause as a table cell of width w.
func (s *styles) causeCell(c string, w int) string {
	if c == "" {
		return s.fit("", w)
	}
	return s.cause(c).Render(s.fit(causeLabel(c), w))
}

// causeLabel is the short name of a cause for tables.
func causeLabel(c string) string {
	switch c {
	case query.CauseDeployment:
		return "regression"
	case query.CauseDependency:
		return "dependency"
	case query.CausePreExisting:
		return "pre-existing"
	case query.CauseDataBug:
		return "data-bug"
	case query.CauseCodePath:
		return "code-path"
	case query.CauseMisconfiguration:
		return "config"
	case "":
		return ""
	default:
		return c
	}
}

// envASCII reports whether this process's locale is not UTF-8.
func envASCII() bool { return !utf8Locale(os.Getenv) }

// asciiOnly replaces what is left of non-ASCII text (from the logs, or
// verdicts) for a terminal that is not UTF-8: one cell for one cell, so
// that the layout holds.
func asciiOnly(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r == '—' || r == '–' || r == '‐' || r == '−':
			b.WriteByte('-')
		case r == '‘' || r == '’':
			b.WriteByte('\'')
		case r == '“' || r == '”':
			b.WriteByte('"')
		case r == '…':
			b.WriteByte('~')
		case r == '×':
			b.WriteByte('x')
		case r == '·' || r == '•':
			b.WriteByte('|')
		case r == '→':
			b.WriteByte('>')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
