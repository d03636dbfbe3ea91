// Package prettyjson renders one JSON value (a log line) as indented lines
// for reading: object keys keep their original order, and string values
// that hold several lines (stack traces, tracebacks) are shown as blocks of
// real lines instead of one long string full of "\n".
//
// It returns plain text; callers sanitise and style it. It imports only the
// standard library.
package prettyjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxDepth bounds nesting so that hostile input cannot blow the stack of a
// caller that later walks the lines; deeper values are shown compactly.
const maxDepth = 64

// Lines pretty-prints the JSON value in raw, indenting each level by indent.
// A string with a newline is shown as `"key": |` followed by its lines, one
// level deeper. It returns an error (and no lines) when raw is not exactly
// one valid JSON value.
func Lines(raw []byte, indent string) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	p := printer{indent: indent}
	if err := p.value(dec, 0, ""); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("prettyjson: trailing data after the value")
	}
	return p.lines, nil
}

type printer struct {
	indent string
	lines  []string
}

// value prints the next value of dec at the given depth; prefix is what
// goes before it on its first line (`"key": ` or nothing).
func (p *printer) value(dec *json.Decoder, depth int, prefix string) error {
	pad := strings.Repeat(p.indent, depth)
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("prettyjson: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		open, close := string(t), "}"
		if t == '[' {
			close = "]"
		}
		if depth >= maxDepth {
			return p.compact(dec, pad+prefix+open)
		}
		start := len(p.lines)
		p.lines = append(p.lines, pad+prefix+open)
		for dec.More() {
			child := ""
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return fmt.Errorf("prettyjson: %w", err)
				}
				key, _ := k.(string)
				child = quote(key) + ": "
			}
			if err := p.value(dec, depth+1, child); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return fmt.Errorf("prettyjson: %w", err)
		}
		if len(p.lines) == start+1 { // empty: {} or []
			p.lines[start] += close
			return nil
		}
		p.lines = append(p.lines, pad+close)
	case string:
		if strings.Contains(t, "\n") {
			p.lines = append(p.lines, pad+prefix+"|")
			for l := range strings.SplitSeq(strings.TrimRight(t, "\n"), "\n") {
				p.lines = append(p.lines, pad+p.indent+strings.TrimRight(l, "\r"))
			}
			return nil
		}
		p.lines = append(p.lines, pad+prefix+quote(t))
	case json.Number:
		p.lines = append(p.lines, pad+prefix+t.String())
	case bool:
		p.lines = append(p.lines, fmt.Sprintf("%s%s%t", pad, prefix, t))
	case nil:
		p.lines = append(p.lines, pad+prefix+"null")
	}
	return nil
}

// compact prints the rest of a too-deep container on one line.
func (p *printer) compact(dec *json.Decoder, head string) error {
	var b strings.Builder
	b.WriteString(head)
	depth := 1
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("prettyjson: %w", err)
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				depth++
			} else {
				depth--
			}
			b.WriteString(string(t))
		case string:
			b.WriteString(quote(t) + " ")
		default:
			fmt.Fprintf(&b, "%v ", t)
		}
	}
	p.lines = append(p.lines, b.String())
	return nil
}

// quote renders s as a JSON string without HTML escaping.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
