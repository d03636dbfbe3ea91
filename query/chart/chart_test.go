package chart

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestResample(t *testing.T) {
	cases := []struct {
		in    []int
		width int
		want  []int
	}{
		{[]int{1, 2, 3}, 5, []int{1, 2, 3}},
		{[]int{1, 2, 3, 4}, 2, []int{3, 7}},
		{[]int{1, 1, 1, 1, 1}, 2, []int{3, 2}},
		{[]int{5}, 0, nil},
	}
	for _, c := range cases {
		if got := Resample(c.in, c.width); !slices.Equal(got, c.want) {
			t.Errorf("Resample(%v, %d) = %v, want %v", c.in, c.width, got, c.want)
		}
	}
}

func TestSparkline(t *testing.T) {
	cases := []struct {
		in    []int
		width int
		g     Glyphs
		want  string
	}{
		{[]int{0, 1, 8, 4, 0}, 10, Unicode, " ▁█▄ "},
		{[]int{0, 1, 100}, 10, Unicode, " ▁█"}, // a single occurrence stays visible
		{[]int{0, 1, 7, 4}, 10, ASCII, " .#="},
		{[]int{0, 0}, 10, Unicode, "  "},
		{[]int{1, 1, 1, 1}, 2, Unicode, "██"},
	}
	for _, c := range cases {
		if got := Sparkline(c.in, c.width, c.g); got != c.want {
			t.Errorf("Sparkline(%v, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

func TestBar(t *testing.T) {
	cases := []struct {
		n, hi, width int
		g            Glyphs
		want         string
	}{
		{10, 10, 5, Unicode, "█████"},
		{5, 10, 5, Unicode, "██▌"},
		{1, 1000, 5, Unicode, "▏"},
		{5, 10, 4, ASCII, "##"},
		{0, 10, 4, Unicode, ""},
		{20, 10, 3, Unicode, "███"}, // clamped
	}
	for _, c := range cases {
		if got := Bar(c.n, c.hi, c.width, c.g); got != c.want {
			t.Errorf("Bar(%d, %d, %d) = %q, want %q", c.n, c.hi, c.width, got, c.want)
		}
		if n := utf8.RuneCountInString(Bar(c.n, c.hi, c.width, c.g)); n > c.width {
			t.Errorf("Bar(%d, %d, %d) is %d cells wide", c.n, c.hi, c.width, n)
		}
	}
}

func TestColumns(t *testing.T) {
	got := Columns([]int{0, 1, 8, 16}, 10, 2, Unicode)
	want := []string{"   █", " ▁██"}
	if !slices.Equal(got, want) {
		t.Errorf("Columns = %q, want %q", got, want)
	}
	for _, g := range []Glyphs{Unicode, ASCII} {
		rows := Columns([]int{3, 9, 27, 81, 0, 1}, 4, 3, g)
		if len(rows) != 3 {
			t.Fatalf("%d rows, want 3", len(rows))
		}
		for _, r := range rows {
			if n := utf8.RuneCountInString(r); n != 3 { // 6 values into 4 cells: 2 per cell
				t.Errorf("row %q is %d cells, want 3", r, n)
			}
		}
		if strings.TrimSpace(rows[2]) == "" {
			t.Error("bottom row empty although every cell has a value")
		}
	}
	if Columns([]int{1}, 5, 0, Unicode) != nil {
		t.Error("zero height should draw nothing")
	}
}
