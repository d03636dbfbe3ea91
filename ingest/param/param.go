// Package param replaces the values that vary between occurrences of the
// same thing (UUIDs, hex ids, digit runs) with placeholders, so that two
// messages or two build-stamped file names that differ only there compare
// equal. Both the message fingerprint (ingest/logline) and the stack frame
// model (ingest/stack) use it: one implementation keeps their templates in
// step, and fingerprints depend on its exact output.
package param

import "strings"

// Pieces templates a word that is no single value: UUIDs inside it become
// {uuid}, then each alphanumeric run is classified (see [Piece]); other
// ASCII bytes are kept. Bytes >= 0x80 count as part of a run.
// For example "main.3f9a2b1c.js" becomes "main.{hex}.js".
func Pieces(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); {
		// an embedded UUID
		if i+36 <= len(w) && IsUUID(w[i:i+36]) && (i+36 == len(w) || !isHex(w[i+36])) {
			b.WriteString("{uuid}")
			i += 36
			continue
		}
		c := w[i]
		if !isAlnum(c) && c < 0x80 {
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(w) && (isAlnum(w[j]) || w[j] >= 0x80) {
			if j+36 <= len(w) && j > i && IsUUID(w[j:j+36]) {
				break
			}
			j++
		}
		b.WriteString(Piece(w[i:j]))
		i = j
	}
	return b.String()
}

// Piece classifies one alphanumeric run: no digits, kept; only digits,
// {num}; a hex id (see [IsHexID]), {hex}; 16 or more characters, {id};
// otherwise each digit run inside it becomes {num} ("SKU1042" ->
// "SKU{num}").
func Piece(p string) string {
	digits, letters := 0, 0
	for i := 0; i < len(p); i++ {
		if isDigit(p[i]) {
			digits++
		} else {
			letters++
		}
	}
	switch {
	case digits == 0:
		return p
	case letters == 0:
		return "{num}"
	case IsHexID(p):
		return "{hex}"
	case len(p) >= 16:
		return "{id}"
	}
	// Digit runs inside a word (SKU1042, v2): replace each run.
	var b strings.Builder
	for i := 0; i < len(p); {
		if isDigit(p[i]) {
			for i < len(p) && isDigit(p[i]) {
				i++
			}
			b.WriteString("{num}")
			continue
		}
		b.WriteByte(p[i])
		i++
	}
	return b.String()
}

// IsUUID reports the canonical 8-4-4-4-12 hex form.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

// IsHexID reports at least 8 hex digits with at least one decimal digit.
func IsHexID(w string) bool {
	if len(w) < 8 {
		return false
	}
	digit := false
	for i := 0; i < len(w); i++ {
		if !isHex(w[i]) {
			return false
		}
		if isDigit(w[i]) {
			digit = true
		}
	}
	return digit
}

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
