package stack

import (
	"strconv"
	"strings"
)

// Format renders a trace as text in the dialect of its first frame, so that
// Parse reads it back to the same trace (Raw and arguments aside): Go as a
// panic, Python as chained tracebacks (cause first), Ruby as a backtrace,
// PHP with "Next", .NET with " ---> " inner exceptions, and Java (also for a
// trace without frames or with frames of no known dialect) with "Caused
// by:", "... N more" and suppressed exceptions. Frames are written in their
// own dialect's syntax where the style allows it.
func Format(t *Trace) string {
	if t == nil {
		return ""
	}
	// An outer exception with no header and no frame has nothing Parse
	// could read back.
	for t.Cause != nil && t.Type == "" && t.Message == "" && len(t.Frames) == 0 {
		t = t.Cause
	}
	var b strings.Builder
	st := style(t)
	if st == Go && (t.Cause != nil || t.Type != "" && t.Type != "panic" && t.Type != "fatal error") {
		st = Java // a chain, or an error type: Go's own syntax has neither
	}
	switch st {
	case Go:
		formatGo(&b, t)
	case Python:
		formatPython(&b, t)
	case Ruby:
		formatRuby(&b, t)
	case PHP:
		formatPHP(&b, t)
	case DotNet:
		formatDotNet(&b, t)
	default:
		formatJava(&b, t, "")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// style is the dialect of the chain's first frame.
func style(t *Trace) Lang {
	for _, c := range t.Chain() {
		if len(c.Suppressed) > 0 {
			return Java // only the JVM prints suppressed exceptions
		}
	}
	for _, c := range t.Chain() {
		if l := c.lang(); l != "" {
			return l
		}
	}
	return ""
}

// oneLine keeps text on its line: Parse reads a header from one line.
func oneLine(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	}
	return s
}

func header(typ, msg string) string {
	typ, msg = oneLine(typ), oneLine(msg)
	switch {
	case typ == "":
		return msg
	case msg == "":
		return typ
	}
	return typ + ": " + msg
}

// atLine writes a frame in the "at" family (JVM, .NET, V8).
func atLine(f Frame) string {
	switch f.Lang {
	case Node:
		loc := f.File
		if f.Line > 0 {
			loc += ":" + strconv.Itoa(f.Line)
			if f.Col > 0 {
				loc += ":" + strconv.Itoa(f.Col)
			}
		}
		if f.Function == "" {
			return "at " + loc
		}
		return "at " + f.Function + " (" + loc + ")"
	case DotNet:
		s := "at " + f.Function + "()"
		if f.File != "" {
			s += " in " + f.File
			if f.Line > 0 {
				s += ":line " + strconv.Itoa(f.Line)
			}
		}
		return s
	}
	loc := f.File
	if loc == "" {
		loc = "Unknown Source"
	}
	if f.Line > 0 {
		loc += ":" + strconv.Itoa(f.Line)
		if f.Col > 0 {
			loc += ":" + strconv.Itoa(f.Col)
		}
	}
	fn := f.Function
	if fn == "" {
		fn = "<unknown>"
	}
	return "at " + fn + "(" + loc + ")"
}

func formatJava(b *strings.Builder, t *Trace, indent string) {
	for i, c := range t.Chain() {
		switch {
		case i > 0:
			b.WriteString(indent + "Caused by: ")
		case indent != "":
			b.WriteString(indent + "Suppressed: ")
		}
		b.WriteString(header(c.Type, c.Message) + "\n")
		for _, f := range c.Frames {
			b.WriteString(indent + "\t" + atLine(f) + "\n")
		}
		if c.Elided > 0 {
			b.WriteString(indent + "\t... " + strconv.Itoa(c.Elided) + " more\n")
		}
		for _, s := range c.Suppressed {
			formatJava(b, s, indent+"\t")
		}
	}
}

func formatDotNet(b *strings.Builder, t *Trace) {
	chain := t.Chain()
	for i, c := range chain {
		if i > 0 {
			b.WriteString(" ---> ")
		}
		b.WriteString(header(c.Type, c.Message) + "\n")
	}
	for i := len(chain) - 1; i >= 0; i-- {
		for _, f := range chain[i].Frames {
			b.WriteString("   " + atLine(f) + "\n")
		}
		if i > 0 {
			b.WriteString("   --- End of inner exception stack trace ---\n")
		}
	}
}

func formatGo(b *strings.Builder, t *Trace) {
	for i, c := range t.Chain() {
		if i > 0 {
			b.WriteString("\n")
		}
		switch c.Type {
		case "panic", "fatal error":
			b.WriteString(c.Type + ": " + oneLine(c.Message) + "\n\n")
		case "":
		default:
			b.WriteString(header(c.Type, c.Message) + "\n")
		}
		b.WriteString("goroutine 1 [running]:\n")
		for _, f := range c.Frames {
			b.WriteString(f.Function + "(...)\n\t" + f.File + ":" + strconv.Itoa(f.Line) + "\n")
		}
	}
}

func formatPython(b *strings.Builder, t *Trace) {
	chain := t.Chain()
	for i := len(chain) - 1; i >= 0; i-- {
		c := chain[i]
		b.WriteString("Traceback (most recent call last):\n")
		for _, f := range c.Frames {
			b.WriteString(`  File "` + f.File + `", line ` + strconv.Itoa(f.Line) + ", in " + f.Function + "\n")
		}
		b.WriteString(header(c.Type, c.Message) + "\n")
		if i > 0 {
			b.WriteString("\nThe above exception was the direct cause of the following exception:\n\n")
		}
	}
}

func rubyLine(f Frame) string {
	return f.File + ":" + strconv.Itoa(f.Line) + ":in `" + f.Function + "'"
}

func formatRuby(b *strings.Builder, t *Trace) {
	for i, c := range t.Chain() {
		fs := c.Frames
		msg := oneLine(c.Message)
		if c.Type != "" {
			msg += " (" + oneLine(c.Type) + ")"
		}
		switch {
		case i == 0 && len(fs) > 0:
			b.WriteString(rubyLine(fs[0]) + ": " + msg + "\n")
			fs = fs[1:]
		case i == 0:
			b.WriteString(header(c.Type, c.Message) + "\n")
		default:
			b.WriteString("Caused by: " + header(c.Type, c.Message) + "\n")
		}
		for _, f := range fs {
			b.WriteString("\tfrom " + rubyLine(f) + "\n")
		}
	}
}

func formatPHP(b *strings.Builder, t *Trace) {
	chain := t.Chain()
	for i := len(chain) - 1; i >= 0; i-- {
		c := chain[i]
		if i < len(chain)-1 {
			b.WriteString("\nNext ")
		}
		b.WriteString(header(c.Type, c.Message) + "\nStack trace:\n")
		for k, f := range c.Frames {
			b.WriteString("#" + strconv.Itoa(k) + " ")
			switch {
			case f.Function == "{main}" && f.File == "":
				b.WriteString("{main}\n")
			case f.File == "[internal function]":
				b.WriteString(f.File + ": " + f.Function + "()\n")
			default:
				b.WriteString(f.File + "(" + strconv.Itoa(f.Line) + "): " + f.Function + "()\n")
			}
		}
	}
}
