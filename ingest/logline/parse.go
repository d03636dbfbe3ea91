package logline

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/culprit-dev/culprit/index"
	"github.com/tidwall/gjson"
)

// source is one place a field may be read from in a line.
type source struct {
	field int
	rank  int // lower wins when a line has several
	hint  hint
	full  string // the whole gjson path (for complex paths and siblings)
}

// plan is a compiled Mapping: the sources in a tree of keys, so that one
// pass over a line's keys (and over the nested objects that hold wanted
// keys) finds every field.
type plan struct {
	root    node
	complex []source // paths gjson must resolve on the whole line
}

// node is a key of the tree: the sources read from its value and the keys
// wanted inside it.
type node struct {
	srcs     []source
	children map[string]*node // while compiling
	table    keyTable         // for lookups, built by seal
}

func (n *node) child(key string) *node {
	if n.children == nil {
		n.children = make(map[string]*node)
	}
	c := n.children[key]
	if c == nil {
		c = &node{}
		n.children[key] = c
	}
	return c
}

// seal builds the lookup tables of n and its descendants.
func (n *node) seal() {
	n.table = newKeyTable(n.children)
	for _, c := range n.children {
		c.seal()
	}
}

// keyTable is an open-addressing hash table of a node's children. Keys are
// short and the table is read once per key of every line, where a cheap
// hash of the length and three bytes beats a general map.
type keyTable struct {
	mask  uint32
	slots []keySlot
}

type keySlot struct {
	key string
	n   *node
}

func keyHash(k string) uint32 {
	h := uint32(len(k)) * 0x9E3779B1
	if len(k) > 0 {
		h ^= uint32(k[0]) * 0x85EBCA77
		h ^= uint32(k[len(k)-1]) * 0xC2B2AE3D
		h ^= uint32(k[len(k)/2]) * 0x27D4EB2F
		if len(k) > 3 {
			h ^= uint32(k[1]) * 0x165667B1
		}
	}
	return h ^ h>>15
}

func newKeyTable(m map[string]*node) keyTable {
	if len(m) == 0 {
		return keyTable{}
	}
	size := uint32(8)
	for size < uint32(len(m))*4 {
		size <<= 1
	}
	t := keyTable{mask: size - 1, slots: make([]keySlot, size)}
	for k, n := range m {
		i := keyHash(k) & t.mask
		for t.slots[i].n != nil {
			i = (i + 1) & t.mask
		}
		t.slots[i] = keySlot{k, n}
	}
	return t
}

func (t *keyTable) get(k string) *node {
	if t.slots == nil {
		return nil
	}
	for i := keyHash(k) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.n == nil {
			return nil
		}
		if s.key == k {
			return s.n
		}
	}
}

// pathKeys splits a plain gjson path into its keys, unescaped; ok is false
// for paths using gjson syntax beyond keys (or array indexes), which gjson
// resolves on the whole line.
func pathKeys(path string) (keys []string, ok bool) {
	for path != "" {
		top, rest, ok := splitPath(path)
		if !ok || (len(keys) > 0 && allDigits(top)) {
			return nil, false
		}
		keys = append(keys, top)
		path = rest
	}
	return keys, len(keys) > 0
}

// plan returns the compiled mapping, compiling it on first use.
func (m *Mapping) plan() *plan {
	if p, ok := m.compiled.Load().(*plan); ok {
		return p
	}
	return m.compile()
}

// compile builds the plan: the mapped (or overridden) path of every field
// first, then, for fields not overridden, every known candidate key as a
// fallback, so that fields absent from the sample (error and stack keys are
// rare in a source's first lines) are still found.
func (m *Mapping) compile() *plan {
	p := &plan{}
	addKeys := func(f, rank int, h hint, keys []string, path string) {
		n := &p.root
		for _, k := range keys {
			n = n.child(k)
		}
		for _, s := range n.srcs {
			if s.field == f && s.hint == h {
				return // an earlier, better-ranked way to the same value
			}
		}
		n.srcs = append(n.srcs, source{field: f, rank: rank, hint: h, full: path})
	}
	addPath := func(f, rank int, h hint, path string) {
		keys, ok := pathKeys(path)
		if !ok {
			p.complex = append(p.complex, source{field: f, rank: rank, hint: h, full: path})
			return
		}
		addKeys(f, rank, h, keys, path)
	}
	overridden := make(map[string]bool, len(m.Overridden))
	for _, f := range m.Overridden {
		overridden[f] = true
	}
	for f := range numFields {
		name := fieldNames[f]
		path := m.Paths[name]
		if f == fTemplate {
			path = m.Template
		}
		if path != "" {
			h := pathHint(f, path)
			if f == fLevel && h == hNone {
				switch m.LevelScale {
				case LevelScaleVerbosity:
					h = hLevelVerbosity
				case LevelScaleLogbook:
					h = hLevelLogbook
				}
			}
			if overridden[name] {
				// A user writes log.level for the literal key and req.id
				// for the nested one alike (as Fields shows them): try
				// every reading, longest literal key first.
				if segs, ok := userPathVariants(path); ok {
					for _, keys := range segs {
						addKeys(f, weakRank(f, h, 0), h, keys, path)
					}
					continue
				}
			}
			addPath(f, weakRank(f, h, 0), h, path)
		}
		if overridden[name] {
			continue
		}
		for _, cp := range fallbackPaths()[f] {
			if cp.keys == nil {
				p.complex = append(p.complex, source{field: f, rank: cp.rank, hint: cp.hint, full: cp.path})
				continue
			}
			addKeys(f, cp.rank, cp.hint, cp.keys, cp.path)
		}
	}
	p.root.seal()
	m.compiled.Store(p)
	return p
}

// fallbackPath is one way to a field every plan tries after the mapped
// path: a candidate key's variant, already split into keys (nil for a path
// gjson resolves on the whole line).
type fallbackPath struct {
	rank int
	hint hint
	keys []string
	path string
}

// fallbackPaths are, per field, the candidate keys' variants in rank order,
// computed once: splitting them is most of the cost of compiling a plan.
var fallbackPaths = sync.OnceValue(func() *[numFields][]fallbackPath {
	out := new([numFields][]fallbackPath)
	add := func(f, rank int, h hint, path string) {
		keys, ok := pathKeys(path)
		if !ok {
			keys = nil
		}
		out[f] = append(out[f], fallbackPath{rank, h, keys, path})
	}
	for f := range numFields {
		for i, c := range candidates[f] {
			if c.hint == hLevelVerbosity {
				continue // only where the sample showed V-levels (Detect)
			}
			for _, v := range candidateVariants()[f][i] {
				add(f, weakRank(f, c.hint, i+1), c.hint, v)
			}
		}
		if f != fErrorType && f != fError && f != fStack {
			continue
		}
		// Errors are rare in a source's first lines, and loggers nest them
		// in their field maps (tracing's fields."panic.payload", log4j2's
		// contextMap): look inside those too, after the rest.
		n := len(candidates[f])
		for ci, ctr := range errContainers {
			for i, c := range candidates[f] {
				if c.hint == hErrObj || c.hint == hArgErr {
					continue
				}
				// The key as listed and its nested-or-literal reading: the
				// spelling variants would triple the plan for little.
				vs := candidateVariants()[f][i]
				for _, v := range vs[:min(2, len(vs))] {
					add(f, weakRank(f, c.hint, n+1+ci*n+i), c.hint, gjson.Escape(ctr)+"."+v)
				}
			}
		}
	}
	return out
})

// errContainers are the field maps error keys are looked for in when the
// sample did not show where a source puts its errors.
var errContainers = []string{"fields", "context", "extra", "attributes", "record", "contextMap", "mdc", "data", "payload"}

// userPathVariants reads a --field path written with plain dots
// ("log.level", "req.id", "@t") as every sequence of keys it may mean, the
// longest first key first. ok is false for paths with gjson syntax (escapes,
// #, |, wildcards, queries), which are used as gjson paths.
func userPathVariants(p string) (variants [][]string, ok bool) {
	if p == "" || strings.ContainsAny(p, "\\#|*?()") || strings.Contains(p, "..") ||
		strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") {
		return nil, false
	}
	segs := strings.Split(p, ".")
	if len(segs) > 8 {
		return nil, false
	}
	var rec func(segs []string) [][]string
	rec = func(segs []string) [][]string {
		if len(segs) == 0 {
			return [][]string{nil}
		}
		var out [][]string
		for k := len(segs); k >= 1; k-- {
			head := strings.Join(segs[:k], ".")
			for _, tail := range rec(segs[k:]) {
				out = append(out, append([]string{head}, tail...))
			}
		}
		return out
	}
	return rec(segs), true
}

// weakRank puts weak sources (a trace id for request_id, a logger name for
// service) after every strong one, so that a line's request id beats its
// trace id even when the sample only showed trace ids.
func weakRank(f int, h hint, rank int) int {
	if isWeak(f, h) {
		return rank + 1000
	}
	return rank
}

// pathHint is the hint of a mapped path: that of the candidate it came from,
// else what its last key implies.
func pathHint(f int, path string) hint {
	n := normKey(unescapePath(path))
	for _, c := range expanded()[f] {
		if c.norm == n {
			return c.hint
		}
	}
	return keyHint(f, unescapePath(path))
}

// splitPath splits a plain gjson path (keys separated by dots, special
// characters escaped) into its first key, unescaped, and the rest, still a
// gjson path. ok is false for paths using gjson syntax beyond keys
// (wildcards, queries, modifiers, array counts): those are resolved by
// gjson on the whole line.
func splitPath(path string) (top, rest string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch c {
		case '\\':
			if i+1 < len(path) {
				i++
				b.WriteByte(path[i])
			}
		case '.':
			rest = path[i+1:]
			if b.Len() == 0 || rest == "" || hasGJSONSyntax(rest) {
				return "", "", false
			}
			return b.String(), rest, true
		case '*', '?', '|', '#', '@', '!', '=', '<', '>', '%', '(', ')', '[', ']', '{', '}', ',':
			if i == 0 || c == '*' || c == '?' || c == '|' || c == '#' {
				return "", "", false
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "", "", false
	}
	return b.String(), "", true
}

// hasGJSONSyntax reports unescaped wildcard, pipe or modifier characters.
func hasGJSONSyntax(p string) bool {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '*', '?', '|', '#':
			return true
		case '@':
			if i == 0 || p[i-1] == '.' {
				return true
			}
		}
	}
	return false
}

// unescapePath removes gjson escapes (for naming, not for lookups).
func unescapePath(p string) string {
	if !strings.Contains(p, `\`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			i++
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// candidateVariants holds keyVariants of every candidate, computed once.
var candidateVariants = sync.OnceValue(func() (out *[numFields][][]string) {
	out = new([numFields][][]string)
	for f := range numFields {
		for _, c := range candidates[f] {
			out[f] = append(out[f], keyVariants(c.key))
		}
	}
	return out
})

// keyVariants returns the gjson paths a candidate key may be written as in a
// line: its dots as nesting or as part of a literal key, and a top-level key
// in its usual spellings (request_id, requestId, RequestID, request-id, ...).
func keyVariants(key string) []string {
	segs := strings.Split(key, ".")
	var out []string
	if len(segs) == 1 {
		for _, sp := range spellings(key) {
			out = append(out, gjson.Escape(sp))
		}
		return out
	}
	for k := 1; k <= len(segs); k++ {
		top := gjson.Escape(strings.Join(segs[:k], "."))
		var nested []string
		for _, s := range segs[k:] {
			nested = append(nested, gjson.Escape(s))
		}
		out = append(out, joinPath(top, strings.Join(nested, ".")))
		if len(segs)-k >= 2 {
			out = append(out, joinPath(top, gjson.Escape(strings.Join(segs[k:], "."))))
		}
	}
	return out
}

func joinPath(a, b string) string {
	if b == "" {
		return a
	}
	return a + "." + b
}

// spellings returns a key in snake, camel, Pascal, kebab, lower and upper
// case (with Id also as ID), itself first.
func spellings(key string) []string {
	words := splitWords(key)
	out := []string{key}
	addS := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	if len(words) == 0 {
		return out
	}
	prefix := ""
	if c := key[0]; c == '@' || c == '_' || c == '$' {
		prefix = key[:1]
		for i := 1; i < len(key) && key[i] == '_'; i++ {
			prefix = key[:i+1]
		}
	}
	lower := make([]string, len(words))
	title := make([]string, len(words))
	for i, w := range words {
		lower[i] = strings.ToLower(w)
		title[i] = strings.ToUpper(lower[i][:1]) + lower[i][1:]
	}
	addS(prefix + strings.Join(lower, "_"))
	addS(prefix + lower[0] + strings.Join(title[1:], ""))
	addS(prefix + strings.Join(title, ""))
	addS(prefix + strings.Join(lower, "-"))
	addS(prefix + strings.Join(lower, ""))
	addS(prefix + strings.ToUpper(strings.Join(lower, "_")))
	if last := lower[len(lower)-1]; last == "id" && len(words) > 1 {
		addS(prefix + lower[0] + strings.Join(title[1:len(title)-1], "") + "ID")
		addS(prefix + strings.Join(title[:len(title)-1], "") + "ID")
	}
	return out
}

// splitWords splits snake_case, kebab-case and camelCase keys into words.
func splitWords(key string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '@' || r == '$':
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) ||
			(i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// extras carries what a line's conversion needs beyond the Event.
type extras struct {
	line        string // the whole line (for templates and sibling keys)
	convention  string
	serviceWeak bool
	template    string // message template, for fingerprints
	exception   bool   // an error object without a stack of its own was seen
	errText     bool   // the error came from a key that is an error only on an error line
	rank        [numFields]int
}

// Parse fills ev from one line: every field the mapping finds, plus Text,
// IsError, Fingerprint and Route. It leaves Source, Line, Raw, Untimed and
// Truncated to the caller and never modifies line. A line that is not a JSON
// object is kept as text (see Text in index.Event) with the time and level it
// starts with, if any. A container runtime's envelope (Kubernetes CRI,
// Docker json-file) is looked through: the application's line inside is
// parsed, and the runtime's time is used when that line has none. ev.Time
// is zero when the line has no usable time.
func (m *Mapping) Parse(line []byte, ev *index.Event) {
	*ev = index.Event{Source: ev.Source, Line: ev.Line, Raw: ev.Raw, Untimed: ev.Untimed, Truncated: ev.Truncated}
	b := trimLine(line)
	env, wrapped := unwrap(b)
	if wrapped {
		b = trimLine(env.content)
		defer func() {
			if ev.Time.IsZero() {
				ev.Time = env.time
			}
			if ev.Host == "" {
				ev.Host = env.host
			}
		}()
	}
	// One copy of the line backs every string of the event.
	s := string(b)
	if len(s) == 0 || s[0] != '{' {
		parseText(s, ev)
		if env.service != "" {
			ev.Service = env.service
		}
		m.finish(ev, nil)
		return
	}
	p := m.plan()
	var x extras
	x.line = s
	x.convention = m.Convention
	for i := range x.rank {
		x.rank[i] = math.MaxInt
	}
	var sc scanner
	valid := sc.scanObject(s, func(mb member) { visit(mb, &p.root, ev, &x) })
	if !valid {
		*ev = index.Event{Source: ev.Source, Line: ev.Line, Raw: ev.Raw, Untimed: ev.Untimed, Truncated: ev.Truncated}
		parseText(s, ev)
		m.finish(ev, nil)
		return
	}
	for i := range p.complex {
		src := &p.complex[i]
		if src.rank >= x.rank[src.field] {
			continue
		}
		val := gjson.Get(s, src.full)
		if val.IsArray() && src.field != fStack && strings.Contains(src.full, "#") {
			val = firstElement(val) // Scopes.#.RequestId: the first scope that has it
		}
		if val.Exists() && convertSource(src, val, ev, &x) {
			x.rank[src.field] = src.rank
		}
	}
	// A service the line names beats the wrapper's container, which beats
	// the source's default (its file name); a logger name is a service only
	// when nothing better is known.
	if ev.Service == "" || x.serviceWeak {
		switch {
		case env.service != "":
			ev.Service = env.service
		case m.DefaultService != "":
			ev.Service = m.DefaultService
		}
	}
	if ev.Level == "" && m.Convention == "clef" {
		ev.Level = index.LevelInfo // CLEF: an absent @l means Information
	}
	if ev.Message == "" && x.template != "" {
		ev.Message = renderTemplate(x.template, s, m.Convention)
	}
	m.finish(ev, &x)
}

// visit reads one member of an object whose node is parent: the sources
// of the member's key, then, if keys inside it are wanted, its members.
func visit(mb member, parent *node, ev *index.Event, x *extras) {
	key := mb.key
	if mb.escaped {
		key = unescapeKey(key)
	}
	n := parent.table.get(key)
	if n == nil {
		return
	}
	// The keys inside first: they are the better-ranked ways to a field
	// (err.type before the err object read whole), so the object is read
	// only for what they did not give.
	if n.table.slots != nil && mb.raw[0] == '{' {
		var sc scanner
		sc.scanObject(mb.raw, func(c member) { visit(c, n, ev, x) })
	}
	if len(n.srcs) > 0 {
		var v gjson.Result
		decoded := false
		for i := range n.srcs {
			src := &n.srcs[i]
			if src.rank >= x.rank[src.field] ||
				src.hint == hErrObj && mb.raw[0] != '{' || src.hint == hArgErr && mb.raw[0] != '[' {
				continue // taken already, or not the shape this source reads
			}
			if !decoded {
				v, decoded = result(mb.raw), true
			}
			if convertSource(src, v, ev, x) {
				x.rank[src.field] = src.rank
			}
		}
	}
}

// finish derives the fields that depend on others: error details from the
// stack, the route, IsError and the fingerprint.
func (m *Mapping) finish(ev *index.Event, x *extras) {
	m.findTrace(ev, x)
	var st *stackTrace
	switch {
	case strings.TrimSpace(ev.Stack) != "":
		st = parseStack(ev.Stack)
		ev.Message = messageBesideStack(ev.Message, ev.Stack, x)
	case looksLikeStack(ev.Message):
		// Google Cloud puts the stack in the message (Error Reporting
		// reads it there); so do some handlers. It counts only if frames
		// are found in it.
		if mst := parseStack(ev.Message); len(mst.fingerprintFrames()) > 0 {
			ev.Stack, st = ev.Message, mst
			ev.Message = messageBesideStack(ev.Message, ev.Stack, x)
		}
	}
	if x != nil && ev.Level == "" && (ev.Stack != "" || ev.ErrorType != "" || x.exception) {
		ev.Level = index.LevelError // a record of a raised exception, with no level of its own
	}
	if st == nil && x != nil && (x.exception || ev.ErrorType != "" || ev.Level == index.LevelError || ev.Level == index.LevelFatal) {
		// The record says an exception was raised but holds no stack of
		// its own (loguru's record.exception {type, value, traceback}): the
		// formatted text may hold it.
		if s, ok := stackInText(x.line); ok {
			ev.Stack, st = s, parseStack(s)
		}
	}
	if st != nil && (ev.ErrorType == "" || ev.Error == "") {
		switch {
		case ev.ErrorType == "":
			ev.ErrorType = st.rootType()
			if ev.Error == "" {
				ev.Error = st.rootMessage()
			}
		default:
			// The type came from a field (Powertools' exception_name names
			// the outer exception): take the message of that exception.
			ev.Error = st.messageOf(ev.ErrorType)
		}
	}
	if x != nil && x.errText && st == nil && ev.ErrorType == "" && ev.Level != index.LevelError && ev.Level != index.LevelFatal {
		ev.Error = "" // a "reason" on a line that reports no error is no error message
	}
	switch {
	case ev.Route != "":
		ev.Route = routeWithMethod(ev.Method, ev.Route)
	case ev.Path != "":
		ev.Route = TemplateRoute(ev.Method, ev.Path)
	}
	ev.IsError = IsError(ev)
	if !ev.IsError || isAccessSymptom(ev) {
		return
	}
	msg := ev.Error
	if msg == "" {
		msg = ev.Message
		if x != nil && x.template != "" {
			msg = x.template
		}
	}
	ev.Fingerprint = fingerprint(ev.ErrorType, msg, st)
}

// cutStackSuffix returns msg without the stack its record also holds in a
// field of its own, when msg ends with it: transports written for Google
// Error Reporting (logging-winston, logging-bunyan) append the stack to the
// message text and keep it in `stack` too. The stack is then the event's
// stack; left in the message it would be shown twice and make the message
// of every such line unique. A message that is the stack and nothing else
// is kept.
func cutStackSuffix(msg, stack string) string {
	st := strings.TrimSpace(stack)
	m := strings.TrimRight(msg, " \t\r\n")
	if len(m) <= len(st) || !strings.HasSuffix(m, st) {
		return msg
	}
	if head := strings.TrimRight(m[:len(m)-len(st)], " \t\r\n:"); head != "" {
		return head
	}
	return msg
}

// messageBesideStack is the line's message when its message key holds the
// stack: with the stack's text cut off its end (cutStackSuffix), or, when
// the message is the stack and nothing else, the logger's own message under
// another key (logging-bunyan keeps bunyan's "msg" and writes the stack to
// "message" for Error Reporting). Else msg as it is.
func messageBesideStack(msg, stack string, x *extras) string {
	if cut := cutStackSuffix(msg, stack); cut != msg {
		return cut
	}
	if x == nil || strings.TrimSpace(msg) != strings.TrimSpace(stack) {
		return msg
	}
	for _, k := range besideKeys {
		if v := gjson.Get(x.line, k); v.Type == gjson.String && strings.TrimSpace(v.Str) != "" &&
			strings.TrimSpace(v.Str) != strings.TrimSpace(stack) && !looksLikeStack(v.Str) {
			return v.Str
		}
	}
	return msg
}

// besideKeys are the message keys a record may hold besides the one a
// transport filled with the stack.
var besideKeys = []string{"msg", "message", "@message", "short_message", "event"}

// textKeys hold a record's formatted text (loguru's "text", formatters'
// "formatted", GELF's full_message).
var textKeys = []string{"text", "formatted", "full_message", "record.text", "rendered", "log"}

// stackInText finds a stack trace inside a formatted text field of line:
// from its first traceback or frame header to the end.
func stackInText(line string) (string, bool) {
	for _, k := range textKeys {
		v := gjson.Get(line, k)
		if v.Type != gjson.String || !looksLikeStack(v.Str) {
			continue
		}
		s := v.Str
		if i := strings.Index(s, "Traceback (most recent call last):"); i >= 0 {
			s = s[i:]
		}
		if st := parseStack(s); len(st.fingerprintFrames()) > 0 {
			return strings.TrimRight(s, "\n"), true
		}
	}
	return "", false
}

// isAccessSymptom reports whether an error event is only an access-log
// line of a failed response ("request completed" with status 500): no error
// type, message or stack of its own. It is an error event, but it gets no
// fingerprint: grouping such lines by their message would put every cause
// of a 500, on every route, into one group that hides the real errors.
func isAccessSymptom(ev *index.Event) bool {
	return ev.Status >= 500 && ev.Error == "" && ev.ErrorType == "" && ev.Stack == "" &&
		(ev.Message == "" || accessMessage.MatchString(ev.Message))
}

// accessMessage matches the messages HTTP middlewares log once per request
// (pino-http, chi, echo, gin, express-winston, ASP.NET, Rails, slog
// handlers...): they describe the response, not an error.
var accessMessage = regexp.MustCompile(`(?i)^(` +
	`(incoming |http |outgoing )?(request|response)( (completed|complete|handled|finished|done|served|end|ended|failed|errored|sent|logged))?` +
	`|(completed|finished|handled|served)( (request|response|http request))?( \d{3}.*)?` +
	`|access( log)?|http (request|response|access)` +
	`|(get|post|put|patch|delete|head|options) /\S*( .*)?` +
	`)\.?$`)

// IsError reports whether an event is an error: level error or fatal, an
// HTTP status of 500 or more, or a stack trace.
func IsError(ev *index.Event) bool {
	return ev.Level == index.LevelError || ev.Level == index.LevelFatal ||
		ev.Status >= 500 || ev.Stack != ""
}

func convertSource(src *source, v gjson.Result, ev *index.Event, x *extras) bool {
	if src.hint == hTimeS {
		nanos := gjson.Get(x.line, siblingPath(src.full, "timestampNanos"))
		t, ok := epochPair(v, nanos)
		if ok {
			ev.Time = t
		}
		return ok
	}
	return convert(src.field, src.hint, v, ev, x)
}

func firstElement(v gjson.Result) gjson.Result {
	var out gjson.Result
	v.ForEach(func(_, e gjson.Result) bool {
		if e.Type == gjson.Null {
			return true
		}
		out = e
		return false
	})
	return out
}

func siblingPath(path, key string) string {
	i := len(path) - 1
	for ; i >= 0; i-- {
		if path[i] == '.' && (i == 0 || path[i-1] != '\\') {
			return path[:i+1] + key
		}
	}
	return key
}

// convert reads v as field f into ev and reports whether it was usable.
// It writes nothing when it reports false.
func convert(f int, h hint, v gjson.Result, ev *index.Event, x *extras) bool {
	if h == hArgErr {
		if !v.IsArray() {
			return false
		}
		// console-style arguments: the error object among them
		var e gjson.Result
		v.ForEach(func(_, el gjson.Result) bool {
			if isErrorObject(el) {
				e = el
				return false
			}
			return true
		})
		if !e.Exists() {
			return false
		}
		v, h = e, hErrObj
	}
	switch f {
	case fTime:
		if h == hTimeS {
			t, ok := epochPair(v, gjson.Result{})
			if ok {
				ev.Time = t
			}
			return ok
		}
		t, ok := ParseTime(v)
		if ok {
			ev.Time = t
		}
		return ok
	case fLevel:
		if v.IsObject() {
			// loguru's {"name":"ERROR","no":40,"icon":"..."}, {"value":..}
			for _, k := range []string{"name", "levelStr", "levelName", "label", "value", "level", "no", "code"} {
				if lv := normalizeLevel(v.Get(k), schemeOf(h)); lv != "" {
					ev.Level = lv
					return true
				}
			}
			return false
		}
		if h == hWord && v.Type != gjson.String {
			return false
		}
		lv := normalizeLevel(v, schemeOf(h))
		if lv == "" {
			return false
		}
		ev.Level = lv
		return true
	case fMessage:
		switch {
		case v.Type == gjson.String && h == hTmpl:
			x.template = v.Str
			ev.Message = renderTemplate(v.Str, x.line, x.convention)
			return true
		case v.Type == gjson.String && h != hArgs:
			ev.Message = v.Str
			return true
		case (h == hArgs || h == hObject) && v.IsArray():
			// console-style arguments: the first one, if a string, is the
			// message (also under a message key: Ruby's console gem writes
			// "message": ["checkout failed", "<the error's message>"])
			first := firstElement(v)
			if first.Type != gjson.String || trimASCIISpace(first.Str) == "" {
				return false
			}
			ev.Message = first.Str
			return true
		case h == hObject && v.IsObject():
			// OTel AnyValue, Lambda's structured message: the text inside,
			// else the object itself.
			ev.Message = v.Raw
			for _, k := range []string{"stringValue", "msg", "message", "errorMessage"} {
				if sv := v.Get(k); sv.Type == gjson.String {
					ev.Message = trimHighlight(sv.Str)
					break
				}
			}
			return true
		}
		return false
	case fTemplate:
		if v.Type != gjson.String || v.Str == "" {
			return false
		}
		x.template = v.Str
		return true
	case fRequestID:
		id := scalar(v)
		if id == "" || len(id) > 256 {
			return false
		}
		if i := strings.LastIndex(id, "/traces/"); i >= 0 {
			id = id[i+len("/traces/"):] // Google: projects/P/traces/ID
		} else if len(id) == 55 && id[2] == '-' && id[35] == '-' && id[52] == '-' {
			id = id[3:35] // W3C traceparent
		}
		if strings.Trim(id, "0-") == "" {
			return false // "0", 0000-...: no id (Datadog writes dd.trace_id "0")
		}
		ev.RequestID = id
		return true
	case fService:
		s := scalarString(v)
		if h == hCrate {
			// Rust's target is a module path; its crate names the program.
			if !isRustPath(s) {
				return false
			}
			s, _, _ = strings.Cut(s, "::")
		}
		if s == "" || len(s) > 256 {
			return false
		}
		ev.Service = s
		x.serviceWeak = h == hWeak
		return true
	case fHost:
		s := scalarString(v)
		if s == "" || len(s) > 256 {
			return false
		}
		ev.Host = s
		return true
	case fVersion:
		s := scalar(v)
		if s == "" || len(s) > 128 || s == "1" || s == "1.0" || s == "1.1" {
			return false // GELF's and logstash's log-format version, not the app's
		}
		ev.Version = s
		return true
	case fMethod:
		if v.Type != gjson.String || !isMethod(v.Str) {
			return false
		}
		ev.Method = strings.ToUpper(v.Str)
		return true
	case fPath:
		if v.Type != gjson.String {
			return false
		}
		s := trimASCIISpace(v.Str)
		if !(strings.HasPrefix(s, "/") || strings.Contains(s, "://") || s == "*") {
			return false
		}
		p := URLPath(s)
		if p == "" {
			return false
		}
		ev.Path = p
		return true
	case fRoute:
		if v.Type != gjson.String {
			return false
		}
		s := trimASCIISpace(v.Str)
		if s == "" || len(s) > 512 {
			return false
		}
		ev.Route = s
		return true
	case fStatus:
		n, ok := intValue(v)
		if !ok || n < 100 || n > 599 {
			return false
		}
		ev.Status = int(n)
		return true
	case fUser:
		s := scalar(v)
		if s == "" || len(s) > 256 {
			return false
		}
		ev.User = s
		return true
	case fDuration:
		ms, ok := durationMS(v, h, x.convention)
		if !ok {
			return false
		}
		ev.DurationMS = ms
		return true
	case fErrorType:
		if v.IsObject() && h == hErrObj {
			e, _ := viewError(v)
			if e.typ == "" || !e.isError() {
				return false
			}
			ev.ErrorType = strings.TrimPrefix(e.typ, "builtins.")
			return true
		}
		if h == hErrObj {
			return false
		}
		s := scalarString(v)
		if s == "" || len(s) > 256 || (h == hType && !looksTypeName(s)) {
			return false
		}
		ev.ErrorType = strings.TrimPrefix(s, "builtins.") // Python's implicit module
		return true
	case fError:
		if v.IsObject() && h == hErrObj {
			e, _ := viewError(v)
			if e.msg == "" || !e.isError() {
				return false
			}
			ev.Error = e.msg
			return true
		}
		if h == hErrObj || v.Type != gjson.String || trimASCIISpace(v.Str) == "" || looksLikeStack(v.Str) {
			return false // a whole traceback is a stack; its message is read from it
		}
		ev.Error = trimHighlight(v.Str)
		x.errText = h == hErrText
		return true
	case fStack:
		if v.IsObject() && h == hErrObj {
			e, _ := viewError(v)
			if !e.hasStack() {
				if x != nil && e.isError() {
					x.exception = true // an exception without its stack: look in the text
				}
				return false
			}
			ev.Stack = errorObjectStack(e)
			return true
		}
		if h == hErrObj {
			return false
		}
		if v.Type == gjson.String && !isStackString(v.Str) {
			return false // "exception": "ValueError" names a type, it is no stack
		}
		if v.Type == gjson.String && isRustBacktrace(v.Str) {
			ev.Stack = rustBacktrace(v.Str)
			return true
		}
		s := stackText(v)
		if trimASCIISpace(s) == "" {
			return false
		}
		ev.Stack = s
		return true
	}
	return false
}

func schemeOf(h hint) levelScheme {
	switch h {
	case hLevelPino:
		return levelPino
	case hLevelOTel:
		return levelOTel
	case hLevelSyslog:
		return levelSyslog
	case hLevelLogback:
		return levelLogback
	case hLevelVerbosity:
		return levelVerbosity
	case hLevelLogbook:
		return levelLogbook
	}
	return levelAuto
}

// scalar returns a string or number value as text ("" for anything else).
func scalar(v gjson.Result) string {
	switch v.Type {
	case gjson.String:
		return trimASCIISpace(v.Str)
	case gjson.Number:
		return v.Raw
	}
	return ""
}

func scalarString(v gjson.Result) string {
	if v.Type != gjson.String {
		return ""
	}
	return trimASCIISpace(v.Str)
}

func isMethod(s string) bool {
	if len(s) == 0 || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z') && !('a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// intValue reads an integer from a number or a numeric string.
func intValue(v gjson.Result) (int64, bool) {
	var s string
	switch v.Type {
	case gjson.Number:
		s = v.Raw
	case gjson.String:
		s = trimASCIISpace(v.Str)
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1e15 {
			return 0, false
		}
		n = int64(f)
	}
	return n, true
}

// durationMS reads a duration in milliseconds. Strings are Go durations
// ("1.5s", "250µs", Google's "0.123s") or numbers; numbers are in the unit
// the key names (duration_ms, latency_ns, ...), else in the convention's
// default unit (zap: seconds; slog and logrus: nanoseconds, as
// time.Duration marshals), else milliseconds, except that integers of a
// million or more are taken as nanoseconds.
func durationMS(v gjson.Result, h hint, convention string) (float64, bool) {
	var f float64
	switch v.Type {
	case gjson.Number:
		n, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil {
			return 0, false
		}
		f = n
	case gjson.String:
		s := trimASCIISpace(v.Str)
		if s == "" {
			return 0, false
		}
		if d, err := time.ParseDuration(s); err == nil {
			if d < 0 {
				return 0, false
			}
			return float64(d) / float64(time.Millisecond), true
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false
		}
		f = n
	default:
		return 0, false
	}
	if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	switch h {
	case hDurMS:
		return f, true
	case hDurS:
		return f * 1000, true
	case hDurUS:
		return f / 1e3, true
	case hDurNS:
		return f / 1e6, true
	}
	switch convention {
	case "zap":
		return f * 1000, true
	case "slog", "logrus":
		return f / 1e6, true
	}
	if f >= 1e6 && f == math.Trunc(f) {
		return f / 1e6, true
	}
	return f, true
}

// stackText renders a stack value as text: strings as they are, arrays of
// strings (Lambda's stackTrace) one per line, structlog's exception dicts as
// Python tracebacks, frame objects (zerolog's pkgerrors) as Go-style frames.
func stackText(v gjson.Result) string {
	switch {
	case v.Type == gjson.String:
		return strings.TrimRight(v.Str, "\n")
	case v.IsArray():
		var b strings.Builder
		var excs []gjson.Result
		v.ForEach(func(_, e gjson.Result) bool {
			switch {
			case e.Type == gjson.String:
				b.WriteString(strings.TrimRight(e.Str, "\n"))
				b.WriteByte('\n')
			case e.IsObject() && e.Get("frames").IsArray():
				excs = append(excs, e)
			case e.IsObject() && (e.Get("method").Exists() || e.Get("class").Exists() || e.Get("methodName").Exists()):
				writeJavaFrame(&b, e) // JVM and JS frame objects: {class, method, file, line}
			case e.IsObject():
				writeFrame(&b, e)
			}
			return b.Len() < 1<<20
		})
		// structlog lists the raised exception first and its causes after
		// it; Python prints the chain cause first, and so do we.
		for i := len(excs) - 1; i >= 0; i-- {
			if i < len(excs)-1 {
				b.WriteString("\nThe above exception was the direct cause of the following exception:\n\n")
			}
			writePythonException(&b, excs[i])
		}
		return strings.TrimRight(b.String(), "\n")
	}
	return ""
}

// writePythonException renders one structlog dict_tracebacks entry.
func writePythonException(b *strings.Builder, e gjson.Result) {
	b.WriteString("Traceback (most recent call last):\n")
	e.Get("frames").ForEach(func(_, fr gjson.Result) bool {
		b.WriteString(`  File "`)
		b.WriteString(fr.Get("filename").String())
		b.WriteString(`", line `)
		b.WriteString(fr.Get("lineno").String())
		b.WriteString(", in ")
		b.WriteString(fr.Get("name").String())
		b.WriteByte('\n')
		return true
	})
	b.WriteString(e.Get("exc_type").String())
	if msg := e.Get("exc_value").String(); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	b.WriteByte('\n')
}

// writeFrame renders a frame object as a Go-style frame: function, then
// file:line indented.
func writeFrame(b *strings.Builder, e gjson.Result) {
	fn := firstString(e, "func", "function", "method", "name")
	file := firstString(e, "source", "file", "filename", "path")
	line := firstString(e, "line", "lineno", "lineNumber")
	if fn == "" && file == "" {
		b.WriteString(e.Raw)
		b.WriteByte('\n')
		return
	}
	b.WriteString(fn)
	b.WriteString("\n\t")
	b.WriteString(file)
	if line != "" {
		b.WriteByte(':')
		b.WriteString(line)
	}
	b.WriteByte('\n')
}

func firstString(e gjson.Result, keys ...string) string {
	for _, k := range keys {
		if v := e.Get(k); v.Exists() && v.Type != gjson.JSON {
			return v.String()
		}
	}
	return ""
}

// renderTemplate substitutes {Prop} holes of a message template (Serilog
// @mt, .NET {OriginalFormat}) with the line's values: top-level properties,
// else those under State, Properties or attributes. Serilog renders string
// values quoted unless the hole says :l; .NET does not quote. Holes without a
// value stay as they are.
func renderTemplate(tmpl, line, convention string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	quote := convention == "clef"
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '{' && i+1 < len(tmpl) && tmpl[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		if c == '}' && i+1 < len(tmpl) && tmpl[i+1] == '}' {
			b.WriteByte('}')
			i++
			continue
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(tmpl[i:], '}')
		if end < 0 {
			b.WriteString(tmpl[i:])
			break
		}
		hole := tmpl[i+1 : i+end]
		name := strings.TrimLeft(hole, "@$")
		format := ""
		if j := strings.IndexAny(name, ":,"); j >= 0 {
			name, format = name[:j], name[j:]
		}
		v := lookupProp(line, name)
		if !v.Exists() || name == "" {
			b.WriteString(tmpl[i : i+end+1])
		} else if v.Type == gjson.String && quote && format != ":l" {
			b.WriteByte('"')
			b.WriteString(v.Str)
			b.WriteByte('"')
		} else if v.Type == gjson.String {
			b.WriteString(v.Str)
		} else {
			b.WriteString(v.Raw)
		}
		i += end
	}
	return b.String()
}

func lookupProp(line, name string) gjson.Result {
	if name == "" {
		return gjson.Result{}
	}
	esc := gjson.Escape(name)
	for _, prefix := range []string{"", "State.", "Properties.", "attributes.", "properties."} {
		if v := gjson.Get(line, prefix+esc); v.Exists() {
			return v
		}
	}
	return gjson.Result{}
}
