// Package chart draws culprit's small text charts: sparklines, horizontal
// bars and multi-row column histograms, in Unicode block characters or, for
// terminals without UTF-8, in plain ASCII. The CLI's text reports (query)
// and the TUI draw with it, so a chart looks the same in both.
//
// It returns plain strings (no colour) so that callers style them; it
// imports only the standard library.
package chart

import (
	"strings"
)

// Glyphs is the character set a chart is drawn with.
type Glyphs struct {
	// Levels are the sparkline cells from the smallest non-zero value to
	// the largest. A zero value is drawn as a space.
	Levels []rune
	// Full is a whole cell of a horizontal bar.
	Full rune
	// Partial are the eighths of a horizontal bar cell, 1/8 to 7/8; empty
	// means bars round to whole cells.
	Partial []rune
}

// Unicode draws with block elements.
var Unicode = Glyphs{
	Levels:  []rune("▁▂▃▄▅▆▇█"),
	Full:    '█',
	Partial: []rune("▏▎▍▌▋▊▉"),
}

// ASCII draws with 7-bit characters only.
var ASCII = Glyphs{
	Levels: []rune(".:-=+*#"),
	Full:   '#',
}

// Resample fits values into at most width cells: when there are more values
// than cells, neighbouring values are summed so that every cell covers the
// same number of values (the last one possibly fewer). It never stretches.
func Resample(values []int, width int) []int {
	if width <= 0 {
		return nil
	}
	if len(values) <= width {
		return values
	}
	per := (len(values) + width - 1) / width
	out := make([]int, 0, width)
	for i := 0; i < len(values); i += per {
		sum := 0
		for _, v := range values[i:min(i+per, len(values))] {
			sum += v
		}
		out = append(out, sum)
	}
	return out
}

// Sparkline draws values (resampled to at most width cells) as one line.
// Zero and negative values are spaces; any positive value gets at least the
// lowest level, so that a single occurrence stays visible.
func Sparkline(values []int, width int, g Glyphs) string {
	vs := Resample(values, width)
	hi := maxOf(vs)
	var b strings.Builder
	for _, v := range vs {
		b.WriteRune(level(v, hi, g.Levels))
	}
	return b.String()
}

// level maps v in [0, hi] onto one of levels (space for v <= 0).
func level(v, hi int, levels []rune) rune {
	if v <= 0 || hi <= 0 || len(levels) == 0 {
		return ' '
	}
	i := (v*len(levels) - 1) / hi // 1..hi -> 0..len-1
	return levels[min(max(i, 0), len(levels)-1)]
}

// Bar draws n out of hi as a horizontal bar of at most width cells. Any
// positive n draws at least a sliver.
func Bar(n, hi, width int, g Glyphs) string {
	if n <= 0 || hi <= 0 || width <= 0 {
		return ""
	}
	n = min(n, hi)
	steps := 1
	if len(g.Partial) > 0 {
		steps = len(g.Partial) + 1
	}
	units := (n*width*steps + hi - 1) / hi // round up: never hide a non-zero value
	full, part := units/steps, units%steps
	var b strings.Builder
	b.WriteString(strings.Repeat(string(g.Full), full))
	if part > 0 {
		b.WriteRune(g.Partial[part-1])
	}
	return b.String()
}

// Columns draws values (resampled to at most width cells) as a histogram of
// height rows, returned top row first; every row has the same number of
// cells. Positive values get at least the lowest level of the bottom row.
func Columns(values []int, width, height int, g Glyphs) []string {
	if height <= 0 {
		return nil
	}
	vs := Resample(values, width)
	hi := maxOf(vs)
	steps := len(g.Levels)
	total := height * steps
	heights := make([]int, len(vs)) // in level units
	for i, v := range vs {
		if v > 0 && hi > 0 {
			heights[i] = max(1, (v*total+hi-1)/hi)
		}
	}
	rows := make([]string, height)
	for r := range height {
		floor := (height - 1 - r) * steps // units below this row
		var b strings.Builder
		for _, h := range heights {
			switch u := h - floor; {
			case u <= 0:
				b.WriteByte(' ')
			case u >= steps:
				b.WriteRune(g.Levels[steps-1])
			default:
				b.WriteRune(g.Levels[u-1])
			}
		}
		rows[r] = b.String()
	}
	return rows
}

func maxOf(vs []int) int {
	hi := 0
	for _, v := range vs {
		hi = max(hi, v)
	}
	return hi
}
