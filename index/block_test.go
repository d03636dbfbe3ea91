package index

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBitmap(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 200, 256} {
		b := full(n)
		if b.count() != n {
			t.Errorf("full(%d).count() = %d", n, b.count())
		}
		var got []int
		b.each(func(i int) { got = append(got, i) })
		if len(got) != n || n > 0 && (got[0] != 0 || got[n-1] != n-1) {
			t.Errorf("full(%d) iterates %v", n, got)
		}
	}
	var a, b bitmap
	a.set(3)
	a.set(200)
	b.set(200)
	b.set(7)
	if x := a.and(b); x.count() != 1 || !x.has(200) {
		t.Errorf("and = %v", x)
	}
	if x := a.or(b); x.count() != 3 {
		t.Errorf("or = %v", x)
	}
	if x := a.andNot(b); x.count() != 1 || !x.has(3) {
		t.Errorf("andNot = %v", x)
	}
}

func TestWords(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/v1/inventory/reserve", "v1 inventory reserve"},
		{"svc.orders.Handler", "svc orders handler"},
		{"dial tcp 10.0.0.7:5432: connect", "dial tcp 10 0 0 7 5432 connect"},
		{"Café CRÈME_naïve", "café crème naïve"},
		{"e2e-test--x", "e2e test x"},
		{"😀 ok", "ok"},
		{"", ""},
		{strings.Repeat("a", 70), strings.Repeat("a", maxWordLen)},
		{strings.Repeat("é", 40), strings.Repeat("é", maxWordLen/2)}, // cut on a rune boundary
	}
	for _, c := range cases {
		if got := strings.Join(words(c.in), " "); got != c.want {
			t.Errorf("words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestEachJSONString(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":"x","b":{"c":"y","d":["z",1,"w"]},"n":3,"t":true}`, "x|y|z|w"},
		{`{"msg":"line\nnext\ttab \"q\" caf\u00e9 \ud83d\ude00 \u12"}`, "line\nnext\ttab \"q\" café 😀 \\u12"},
		{`{"k" : "v", "k2":"v2"}`, "v|v2"},
		{`{"unterminated":"abc`, ""},
		{`{"lone":"\ud83d x"}`, "\ufffd x"},
		{`not json at all`, ""},
	}
	for _, c := range cases {
		var got []string
		eachJSONString([]byte(c.in), nil, func(v []byte, off int) {
			if off >= 0 && string(v) != c.in[off:off+len(v)] {
				t.Errorf("offset %d of %q is wrong", off, v)
			}
			got = append(got, string(v))
		})
		if g := strings.Join(got, "|"); g != c.want {
			t.Errorf("eachJSONString(%s) = %q, want %q", c.in, g, c.want)
		}
	}
}

func TestBloom(t *testing.T) {
	var ws [][]byte
	for i := range 1000 {
		ws = append(ws, []byte("w"+strings.Repeat("x", i%7)+string(rune('0'+i%10))+itoa(i)))
	}
	f := make(bloom, 1<<bloomBits(len(ws))/8)
	for _, w := range ws {
		f.add(wordHash(w))
	}
	for _, w := range ws {
		if !f.has(wordHash(w)) {
			t.Fatalf("bloom lost %s", w)
		}
	}
	fp := 0
	for i := range 10000 {
		if f.has(wordHash([]byte("absent" + itoa(i)))) {
			fp++
		}
	}
	if fp > 500 {
		t.Errorf("%d false positives in 10000", fp)
	}
}

func TestTermEncodings(t *testing.T) {
	// Terms must be monotonic so that ranges are term ranges.
	statuses := []float64{math.Inf(-1), -5, -1, 0, 1, 99, 100, 200, 404, 500, 503, 99999, 1e9, math.Inf(1)}
	for i := 1; i < len(statuses); i++ {
		if statusTerm(statuses[i-1]) > statusTerm(statuses[i]) {
			t.Errorf("statusTerm(%v) > statusTerm(%v)", statuses[i-1], statuses[i])
		}
	}
	durs := []float64{math.Inf(-1), -1, 0, 0.4, 1, 1.5, 999, 1000, 1e6, 1e300, math.Inf(1)}
	for i := 1; i < len(durs); i++ {
		if durTerm(durs[i-1]) > durTerm(durs[i]) {
			t.Errorf("durTerm(%v) > durTerm(%v)", durs[i-1], durs[i])
		}
	}
	if a, b := blockID(9), blockID(10); a >= b {
		t.Errorf("blockID order: %s >= %s", a, b)
	}
}

func TestBlockMetaRoundTrip(t *testing.T) {
	m := blockMeta{off: 1 << 40, colsLen: 1, wordsLen: 2, digitsLen: 3, payloadLen: 4, src: 5, n: 256, bloomBits: 12,
		bloomOff: 77, firstLine: -3, lastLine: 1 << 50, min: toTS(time.Time{}), max: toTS(t0.Add(123))}
	var b [metaRecSize]byte
	m.marshal(b[:])
	var got blockMeta
	if err := got.unmarshal(b[:]); err != nil || got != m {
		t.Errorf("round trip = %+v, %v; want %+v", got, err, m)
	}
	b[40] ^= 1
	if err := got.unmarshal(b[:]); err == nil {
		t.Error("a flipped bit went unnoticed")
	}
}

func TestDecodeCorruptBlocks(t *testing.T) {
	z, err := getCodec()
	if err != nil {
		t.Fatal(err)
	}
	// Decoders reject garbage without panicking.
	for _, in := range [][]byte{nil, {1}, {1, 5, 200}, {1, 0}, {12, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		[]byte(strings.Repeat("\xff", 100))} {
		if _, err := decodeCols(z, in); err == nil {
			t.Errorf("decodeCols(%q): no error", in)
		}
		decodeWords(in, false)
		decodeWords(slices.Clone(in), true)
		decodeFrame(in, false, 0)
		var kws [numKW]*kwColumn
		for _, f := range tmplCols {
			kws[f] = &kwColumn{dict: []string{"abcdefgh"}, idx: make([]uint16, blockMaxLines)}
		}
		if fr, err := decodeFrame(in, true, 0); err == nil {
			fr.withRaw(func() (*[numKW]*kwColumn, error) { return &kws, nil }, 0)
		}
	}
}

// TestDecodeBlockWithoutTraceColumns checks that a block written before the
// trace columns existed (1+numKWv1 parts) still reads, its lines without
// trace context, and that a current block keeps them.
func TestDecodeBlockWithoutTraceColumns(t *testing.T) {
	z, err := getCodec()
	if err != nil {
		t.Fatal(err)
	}
	b := newBuilder("svc.log")
	defer b.release()
	ev := Event{Time: t0, Service: "checkout", RequestID: "r-1", TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7",
		Source: "svc.log", Line: 1, Raw: []byte(`{"msg":"x"}`)}
	b.add(&ev)
	out := newBlockEncoder(z).build(b, 0, 0)

	cur, err := decodeCols(z, out.cols)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := cur.kwc(kTraceID); err != nil || k.value(0) != ev.TraceID {
		t.Fatalf("trace column = %v, %v; want %s", k, err, ev.TraceID)
	}

	// Re-frame the same parts as an old block: drop the trace columns.
	d := decoder{b: out.cols}
	np := d.uvarint()
	lens := make([]uint64, np)
	for i := range lens {
		lens[i] = d.uvarint()
	}
	parts := make([][]byte, np)
	for i := range parts {
		parts[i] = d.bytes(lens[i])
	}
	if d.err != nil || np != 1+numKW {
		t.Fatalf("block header: %d parts, %v", np, d.err)
	}
	old := binary.AppendUvarint(nil, 1+numKWv1)
	for i := 0; i < 1+numKWv1; i++ {
		old = binary.AppendUvarint(old, lens[i])
	}
	for i := 0; i < 1+numKWv1; i++ {
		old = append(old, parts[i]...)
	}
	c, err := decodeCols(z, old)
	if err != nil {
		t.Fatalf("old block: %v", err)
	}
	if k, err := c.kwc(kRequestID); err != nil || k.value(0) != "r-1" {
		t.Errorf("old block request_id = %v, %v; want r-1", k, err)
	}
	for _, f := range []int{kTraceID, kSpanID, kParentSpanID} {
		k, err := c.kwc(f)
		if err != nil {
			t.Errorf("old block column %s: %v", kwNames[f], err)
		} else if v := k.value(0); v != "" {
			t.Errorf("old block column %s = %q, want empty", kwNames[f], v)
		}
	}
}
