package victorialogs

import (
	"encoding/json"
	"testing"
)

// appendJSONString decodes to what encoding/json's own encoding decodes
// to, for any string: escapes, control characters, invalid UTF-8.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uo\te`, "nl\n\r\t\x00\x1f", "é ü 日本", "bad \xff\xfe utf8", "\u2028<>&", "\xe2\x82"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		var a string
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: not JSON: %v", s, got, err)
		}
		ref, _ := json.Marshal(s)
		var b string
		if err := json.Unmarshal(ref, &b); err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("appendJSONString(%q) decodes to %q, encoding/json's to %q", s, a, b)
		}
	})
}
