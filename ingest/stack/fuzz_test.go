package stack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: Parse and Lines never panic, keep every line, pick an in-app
// culprit, and Format output is a fixed point: formatting what Parse read
// from Format's text gives the same text.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(stacksDir, "*.txt"))
	if len(files) == 0 {
		f.Fatalf("no seeds in %s", stacksDir)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("PHP Fatal error:  Uncaught E: x in /a.php:1\nStack trace:\n#0 /a.php(2): f()\n#1 {main}\n\nNext F: y in /a.php:3\nStack trace:\n#0 {main}\n")
	f.Add("E: x\n\tat a.B.c(B.java:1)\n\tSuppressed: F: y\n\t\tat a.B.d(B.java:2)\n\t\tCaused by: G: z\n\t\t\tat a.B.e(B.java:3)\nCaused by: H\n\t... 3 more\n")
	f.Add("X: y\n ---> Z: w\n   at A.B() in /a.cs:line 3\n   --- End of inner exception stack trace ---\n   at C.D()\n")
	f.Add("<#af02f11c> j.l.E: x\n\tat c.a.B.f(B.java:1)\n\t... 4 frames excluded\nWrapped by: <#0d3e51aa> a.F: y\n\tat a.B.g(B.java:2)\n")
	f.Fuzz(func(t *testing.T, s string) {
		tr, ls := ParseLines(s)
		want := strings.Count(s, "\n")
		if s != "" && !strings.HasSuffix(s, "\n") {
			want++
		}
		if len(ls) != want {
			t.Fatalf("Lines kept %d lines of %d", len(ls), want)
		}
		if c := tr.Culprit(); c != nil && !c.InApp {
			t.Fatalf("culprit %+v is not in-app", c)
		}
		for _, l := range ls {
			if l.Culprit && l.Kind != App {
				t.Fatalf("culprit line %q of kind %d", l.Text, l.Kind)
			}
		}
		_ = tr.FingerprintFrames()
		text := Format(tr)
		again := Format(Parse(text))
		if Format(Parse(again)) != again {
			t.Fatalf("Format is no fixed point:\n%q\n%q\n%q", text, again, Format(Parse(again)))
		}
	})
}
