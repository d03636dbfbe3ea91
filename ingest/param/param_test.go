package param

import "testing"

func TestPieces(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"main.3f9a2b1c.js", "main.{hex}.js"},
		{"SKU1042", "SKU{num}"},
		{"v2", "v{num}"},
		{"12345", "{num}"},
		{"plain", "plain"},
		{"a1b2c3d4e5f6g7h8i9", "{id}"},
		{"job-123e4567-e89b-12d3-a456-426614174000.log", "job-{uuid}.log"},
		{"x123e4567-e89b-12d3-a456-426614174000", "x{uuid}"},
		{"123e4567-e89b-12d3-a456-426614174000a", "{hex}-e{num}b-{num}d{num}-a{num}-{hex}"},
		{"café7", "café{num}"},
		{"", ""},
	} {
		if got := Pieces(c.in); got != c.want {
			t.Errorf("Pieces(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsHexID(t *testing.T) {
	for in, want := range map[string]bool{
		"3f9a2b1c": true, "deadbeef": false, "3f9a2b1": false, "3f9a2b1z": false,
	} {
		if got := IsHexID(in); got != want {
			t.Errorf("IsHexID(%q) = %v, want %v", in, got, want)
		}
	}
}
