package main

import (
	"strconv"
	"time"
)

const hexDigits = "0123456789abcdef"

// jw appends one JSON object to a byte slice without reflection. py selects
// Python's json.dumps separators (", " and ": ") as structlog writes them.
type jw struct {
	b     []byte
	first bool
	py    bool
}

func (w *jw) open() {
	w.b = append(w.b, '{')
	w.first = true
}

func (w *jw) close() {
	w.b = append(w.b, '}')
	w.first = false
}

func (w *jw) key(k string) {
	if !w.first {
		if w.py {
			w.b = append(w.b, ',', ' ')
		} else {
			w.b = append(w.b, ',')
		}
	}
	w.first = false
	w.b = appendStr(w.b, k)
	if w.py {
		w.b = append(w.b, ':', ' ')
	} else {
		w.b = append(w.b, ':')
	}
}

func (w *jw) str(k, v string) {
	w.key(k)
	w.b = appendStr(w.b, v)
}

func (w *jw) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

// float writes v with prec decimals, or the shortest exact form when prec < 0.
func (w *jw) float(k string, v float64, prec int) {
	w.key(k)
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
}

// obj starts a nested object under k; close it with close.
func (w *jw) obj(k string) {
	w.key(k)
	w.open()
}

// kvs writes extra attributes in order.
func (w *jw) kvs(list []kv) {
	for i := range list {
		w.kv(&list[i])
	}
}

func (w *jw) kv(a *kv) {
	switch a.typ {
	case kvStr:
		w.str(a.k, a.s)
	case kvInt:
		w.int(a.k, a.i)
	case kvFloat:
		w.float(a.k, a.f, 3)
	}
}

// appendStr appends s as a JSON string. The generator only writes ASCII, so
// escaping quotes, backslashes and control characters is complete.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// kv is one extra attribute of a log record.
type kv struct {
	k   string
	s   string
	i   int64
	f   float64
	typ uint8
}

const (
	kvStr uint8 = iota
	kvInt
	kvFloat
)

func kvs(k, v string) kv         { return kv{k: k, s: v, typ: kvStr} }
func kvi(k string, v int64) kv   { return kv{k: k, i: v, typ: kvInt} }
func kvf(k string, v float64) kv { return kv{k: k, f: v, typ: kvFloat} }
func utc(ns int64) time.Time     { return time.Unix(0, ns).UTC() }
func appendHex(b []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(uint(i)*4))&15])
	}
	return b
}
