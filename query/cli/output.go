package cli

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/culprit-dev/culprit/query"
)

// Output policy, for every command:
//   - data goes to Out, notes and errors to Err;
//   - with --json: the documented JSON (query.WriteJSON, the one writer of
//     the contract), whatever Out is; "no results" still prints valid JSON
//     (an empty array, found:false) and adds no note;
//   - text on a terminal: colour unless NO_COLOR is set or TERM is dumb,
//     rows fitted to the terminal's width;
//   - text to a pipe or a file: no colour, no truncation;
//   - every string that comes from logs, file names or the command line is
//     sanitised before it reaches either stream.

// color reports whether text output to Out may carry colour.
func (e *Env) color() bool {
	return e.OutTTY && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb"
}

// textOptions are the text renderers' options for Out.
func (e *Env) textOptions() query.TextOptions {
	o := query.TextOptions{Color: e.color()}
	if e.OutTTY {
		o.Width = e.Width
		if o.Width <= 0 {
			o.Width = 80
		}
	}
	return o
}

// output writes a result as JSON or as text. n is the number of results:
// 0 is "no results" (exit 1). Then JSON output is the documented empty
// document (an empty array) and nothing is said on stderr; text output
// prints nothing on stdout (a script reading it sees no rows) and the one
// note empty on stderr, which says what was asked.
func (g *globals) output(asJSON bool, n int, empty string, writeJSON func(io.Writer) error, writeText func(io.Writer, query.TextOptions) error) error {
	if asJSON {
		if err := writeJSON(g.env.Out); err != nil {
			return err
		}
		if n == 0 {
			return &NoResultsError{}
		}
		return nil
	}
	if n == 0 {
		return &NoResultsError{Msg: empty}
	}
	return writeText(g.env.Out, g.env.textOptions())
}

// termSafeWriter passes text to a terminal with the only control sequences
// a progress bar needs (CR, LF, TAB and "ESC [ K", erase to the end of the
// line) and everything else a terminal would interpret made visible, as
// query.Sanitize does. ingest draws its progress bar through it, so a file
// name in the bar cannot set the title or move the cursor.
type termSafeWriter struct{ w io.Writer }

// eraseLine is the one escape sequence a progress bar may send.
var eraseLine = []byte("\x1b[K")

func (t termSafeWriter) Write(p []byte) (int, error) {
	var out bytes.Buffer
	rest := p
	for len(rest) > 0 {
		if bytes.HasPrefix(rest, eraseLine) {
			out.Write(eraseLine)
			rest = rest[len(eraseLine):]
			continue
		}
		c := rest[0]
		switch {
		case c == '\r' || c == '\n' || c == '\t':
			out.WriteByte(c)
			rest = rest[1:]
			continue
		case c < utf8.RuneSelf:
			// Sanitize the run up to the next byte that needs a decision.
			i := 1
			for i < len(rest) && rest[i] >= 0x20 && rest[i] < utf8.RuneSelf && rest[i] != 0x7f {
				i++
			}
			out.WriteString(query.Sanitize(string(rest[:i])))
			rest = rest[i:]
			continue
		}
		_, size := utf8.DecodeRune(rest)
		out.WriteString(query.Sanitize(string(rest[:size])))
		rest = rest[size:]
	}
	if _, err := t.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// count formats n and noun, in the plural unless n is 1 ("1 event", "3
// events").
func count[N ~int | ~int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
