package index

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The rollup: the error groups summarised per range of committed blocks,
// so that whole-index questions (every group's count, first and last
// occurrence, requests, traces, routes, users, and the error histograms)
// read a few files instead of every block's digest.
//
// A rollup file (rollup/<a>-<b>, block numbers) summarises the error events
// of blocks [a, b): per fingerprint its count, first and last event (as
// block and line), the time of every event and the count of every value of
// request_id, trace_id, route and user, and each event's value of those. The files form a chain from block
// 0; the blocks past its end (at most rollupMinBlocks-1 of them after a
// commit) are summarised by readers from their digests, exactly, and merged
// in.
//
// Layout: rollupVersion, uvarint a, uvarint b, the CRC-32C of the block
// records of [a, b) (as in blocks.idx), uvarint the length of the
// zstd-compressed body, the body, the zstd-compressed all-event part
// (rollupall.go: every event's counts per field value and hour), and the
// CRC-32C of everything before it. Format 1 (written before the all-event
// part, still read) has the body, without its length, and no all-event
// part. Body: uvarint groups, then per group
// (sorted by fingerprint): string fingerprint, uvarint count, first and
// last (varint sec, uvarint nsec, varint line, uvarint block, uvarint
// line in block), the times (first varint sec and uvarint nsec, then
// uvarint seconds since the previous and uvarint nsec), and per facet field
// uvarint values then per value string and uvarint count, sorted by value,
// then per event (in the times' order) uvarint 1 + the index of its value
// (0: none).
// A string is its uvarint length and bytes.
//
// Written by the writer after a commit point, atomically (write, sync,
// rename) and listed with size and checksum in the manifest, which is
// rewritten right after: a reader uses only the files its manifest lists,
// and checks each against the manifest's checksum and the block records it
// was computed from, so it never reads a summary of other blocks than the
// committed ones. A crash before the manifest leaves files no manifest
// lists; the next writer deletes them. Merged-away files are deleted once
// a manifest without them is on disk.
//
// Merging: a new file covers the blocks since the chain's end; while the
// file before it covers no more blocks than it, the two are merged into
// one (a binary counter), so a chain has O(log blocks) files and every
// block is rewritten O(log blocks) times, however often the writer commits
// (ingest --follow commits every second).
//
// rollupVersion 2 adds the all-event part.
const rollupVersion = 2

const rollupDir = "rollup"

// rollupMinBlocks is how many blocks past the chain's end a commit waits
// for before it writes a rollup file (tests lower it).
var rollupMinBlocks = 64

// rollupFacets are the fields whose values a rollup counts per group.
var rollupFacets = []string{"request_id", "trace_id", "route", "user"}

var rollupCols = []int{kRequestID, kTraceID, kRoute, kUser}

// rollupFile is one file of the chain, as the manifest lists it.
type rollupFile struct {
	name string // slash-separated, relative to the index
	a, b int
	size int64
	crc  uint32
}

func rollupName(a, b int) string { return path.Join(rollupDir, fmt.Sprintf("%010d-%010d", a, b)) }

// rollupsOf returns the rollup chain a manifest lists (nil: none).
func rollupsOf(man *manifest) []rollupFile {
	if man == nil {
		return nil
	}
	var out []rollupFile
	for _, f := range man.Files {
		rest, ok := strings.CutPrefix(f.Name, rollupDir+"/")
		if !ok {
			continue
		}
		r := rollupFile{name: f.Name, size: f.Size, crc: f.CRC, a: -1}
		if _, err := fmt.Sscanf(rest, "%d-%d", &r.a, &r.b); err != nil {
			r.a, r.b = -1, -1 // reported when read
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y rollupFile) int { return cmp.Compare(x.a, y.a) })
	return out
}

// recordsSum is the CRC-32C of the block records of [a, b).
func recordsSum(blocks []blockMeta, a, b int) uint32 {
	var rec [metaRecSize]byte
	var sum uint32
	for i := a; i < b; i++ {
		blocks[i].marshal(rec[:])
		sum = crc32.Update(sum, castagnoli, rec[:])
	}
	return sum
}

// encodeRollup encodes the summary of blocks [a, b), with the all-event
// part unless all is nil (then in format 1).
func (ix *Index) encodeRollup(blocks []blockMeta, a, b int, gs []groupSum, all *allSum) []byte {
	var body []byte
	str := func(s string) { body = appendString(body, s) }
	ref := func(x *hit) {
		body = binary.AppendVarint(body, x.t.sec)
		body = binary.AppendUvarint(body, uint64(x.t.nsec))
		body = binary.AppendVarint(body, x.line)
		body = binary.AppendUvarint(body, uint64(x.block))
		body = binary.AppendUvarint(body, uint64(x.idx))
	}
	body = binary.AppendUvarint(body, uint64(len(gs)))
	for i := range gs {
		g := &gs[i]
		str(g.value)
		body = binary.AppendUvarint(body, uint64(g.n))
		ref(&g.first)
		ref(&g.last)
		for k, t := range g.times {
			if k == 0 {
				body = binary.AppendVarint(body, t.sec)
			} else {
				body = binary.AppendUvarint(body, uint64(t.sec-g.times[k-1].sec))
			}
			body = binary.AppendUvarint(body, uint64(t.nsec))
		}
		for j, vs := range g.vals {
			body = binary.AppendUvarint(body, uint64(len(vs)))
			for _, v := range vs {
				str(v.v)
				body = binary.AppendUvarint(body, uint64(v.n))
			}
			for _, id := range g.ids[j] {
				body = binary.AppendUvarint(body, uint64(id))
			}
		}
	}
	version := byte(rollupVersion)
	if all == nil {
		version = 1
	}
	out := []byte{version}
	out = binary.AppendUvarint(out, uint64(a))
	out = binary.AppendUvarint(out, uint64(b))
	out = binary.LittleEndian.AppendUint32(out, recordsSum(blocks, a, b))
	if all == nil {
		out = ix.z.compress(out, body)
	} else {
		gz := ix.z.compress(nil, body)
		out = binary.AppendUvarint(out, uint64(len(gz)))
		out = append(out, gz...)
		out = ix.z.compress(out, encodeAll(all))
	}
	return binary.LittleEndian.AppendUint32(out, partSum(out))
}

// rollupParts are the compressed parts of a rollup file.
type rollupParts struct {
	groups []byte
	all    []byte // nil in a file of format 1
}

// splitRollup checks a rollup file of blocks [a, b) against the block
// records and returns its compressed parts.
func splitRollup(raw []byte, blocks []blockMeta, a, b int) (rollupParts, error) {
	if len(raw) < 8 {
		return rollupParts{}, errCorrupt
	}
	body := raw[:len(raw)-4]
	if partSum(body) != binary.LittleEndian.Uint32(raw[len(raw)-4:]) {
		return rollupParts{}, fmt.Errorf("checksum mismatch")
	}
	if body[0] != 1 && body[0] != rollupVersion {
		return rollupParts{}, fmt.Errorf("rollup format %d", body[0])
	}
	h := decoder{b: body[1:]}
	ra, rb := h.uvarint(), h.uvarint()
	if h.err != nil || len(h.b) < 4 {
		return rollupParts{}, errCorrupt
	}
	if ra != uint64(a) || rb != uint64(b) || b > len(blocks) || a >= b {
		return rollupParts{}, fmt.Errorf("blocks %d-%d, named %d-%d of %d", ra, rb, a, b, len(blocks))
	}
	if binary.LittleEndian.Uint32(h.b) != recordsSum(blocks, a, b) {
		return rollupParts{}, fmt.Errorf("computed from other blocks than the committed ones")
	}
	h.b = h.b[4:]
	if body[0] == 1 {
		return rollupParts{groups: h.b}, nil
	}
	gz := h.bytes(h.uvarint())
	if h.err != nil {
		return rollupParts{}, errCorrupt
	}
	return rollupParts{groups: gz, all: h.b}, nil
}

// decodeGroups decodes the compressed groups' part of a file of blocks
// [a, b).
func (ix *Index) decodeGroups(z []byte, blocks []blockMeta, a, b int) ([]groupSum, error) {
	plain, err := ix.z.decompress(z)
	if err != nil {
		return nil, err
	}
	d := decoder{b: plain, s: string(plain)}
	ref := func() hit {
		x := hit{t: ts{sec: d.varint(), nsec: int32(d.uvarint())}, line: d.varint(), block: int(d.uvarint()), idx: int(d.uvarint())}
		if x.block < a || x.block >= b || x.idx >= blocks[min(max(x.block, 0), len(blocks)-1)].n || x.t.nsec < 0 || x.t.nsec >= 1e9 {
			d.err = errCorrupt
		}
		return x
	}
	gs := make([]groupSum, d.count())
	for i := range gs {
		g := &gs[i]
		g.value = d.str()
		g.n = d.count()
		g.first, g.last = ref(), ref()
		if i > 0 && g.value <= gs[i-1].value || g.n == 0 {
			d.err = errCorrupt
		}
		if d.err != nil {
			return nil, d.err
		}
		g.times = make([]ts, g.n)
		for k := range g.times {
			if k == 0 {
				g.times[k].sec = d.varint()
			} else {
				g.times[k].sec = g.times[k-1].sec + int64(d.uvarint())
			}
			g.times[k].nsec = int32(d.uvarint())
			if g.times[k].nsec < 0 || g.times[k].nsec >= 1e9 || k > 0 && g.times[k].less(g.times[k-1]) {
				d.err = errCorrupt
			}
		}
		g.vals = make([][]valCount, len(rollupFacets))
		g.ids = make([][]uint32, len(rollupFacets))
		for j := range g.vals {
			vs := make([]valCount, d.count())
			for k := range vs {
				vs[k] = valCount{d.str(), int(d.uvarint())}
				if k > 0 && vs[k].v <= vs[k-1].v {
					d.err = errCorrupt
				}
			}
			g.vals[j] = vs
			ids := make([]uint32, g.n)
			for k := range ids {
				if id := d.uvarint(); id <= uint64(len(vs)) {
					ids[k] = uint32(id)
				} else {
					d.err = errCorrupt
				}
			}
			g.ids[j] = ids
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errCorrupt
	}
	return gs, nil
}

// rollupMemo keeps the decoded chain of a reader: the merged summary of
// the chain's blocks, keyed by the chain's files.
type rollupMemo struct {
	mu   sync.Mutex
	key  string
	upTo int
	gs   []groupSum
	// all is gs merged with the blocks past the chain, for allKey (the
	// chain and the number of blocks).
	allKey string
	all    []groupSum
}

// openRollup reads one file of the chain and checks it against the
// manifest and the block records.
func (ix *Index) openRollup(f rollupFile, blocks []blockMeta) (rollupParts, error) {
	raw, err := os.ReadFile(filepath.Join(ix.dir, filepath.FromSlash(f.name)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return rollupParts{}, ix.damaged(f.name, "missing")
		}
		return rollupParts{}, ix.damaged(f.name, "%w", err)
	}
	if int64(len(raw)) != f.size || f.crc != 0 && partSum(raw) != f.crc {
		return rollupParts{}, ix.damaged(f.name, "%d bytes, not the file the manifest lists", len(raw))
	}
	p, err := splitRollup(raw, blocks, f.a, f.b)
	if err != nil {
		return rollupParts{}, ix.damaged(f.name, "%w", err)
	}
	return p, nil
}

// readRollup reads and checks one file of the chain: its groups.
func (ix *Index) readRollup(f rollupFile, blocks []blockMeta) ([]groupSum, error) {
	gs, _, err := ix.readRollupParts(f, blocks, true, false)
	return gs, err
}

// readRollupAll reads and checks one file of the chain: its all-event
// part, nil when it has none (format 1).
func (ix *Index) readRollupAll(f rollupFile, blocks []blockMeta) (*allSum, error) {
	_, s, err := ix.readRollupParts(f, blocks, false, true)
	return s, err
}

// readRollupParts reads and checks one file of the chain once, and
// decodes the parts asked for: its groups, its all-event part (nil when
// it has none: format 1).
func (ix *Index) readRollupParts(f rollupFile, blocks []blockMeta, groups, all bool) ([]groupSum, *allSum, error) {
	p, err := ix.openRollup(f, blocks)
	if err != nil {
		return nil, nil, err
	}
	var gs []groupSum
	if groups {
		if gs, err = ix.decodeGroups(p.groups, blocks, f.a, f.b); err != nil {
			return nil, nil, ix.damaged(f.name, "%w", err)
		}
	}
	if !all || p.all == nil {
		return gs, nil, nil
	}
	plain, err := ix.z.decompress(p.all)
	if err != nil {
		return nil, nil, ix.damaged(f.name, "%w", err)
	}
	s, err := decodeAll(plain, blocks, f.a, f.b)
	if err != nil {
		return nil, nil, ix.damaged(f.name, "%w", err)
	}
	return gs, s, nil
}

// rollupView returns the merged summary of the rollup chain and the number
// of blocks it covers (0 and nil without a rollup). blocks and sources are
// the caller's snapshot.
func (ix *Index) rollupView(blocks []blockMeta, sources []string, chain []rollupFile) (int, []groupSum, error) {
	if len(chain) == 0 {
		return 0, nil, nil
	}
	m := &ix.rollMemo
	key := m.keyOf(chain, sources)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.key == key {
		return m.upTo, m.gs, nil
	}
	rank := sourceRanks(sources)
	rankOf := func(block int) int { return rank[blocks[block].src] }
	var gs []groupSum
	end := 0
	for _, f := range chain {
		if f.a != end || f.b > len(blocks) {
			return 0, nil, ix.damaged(f.name, "does not follow the rollup of blocks 0-%d (of %d)", end, len(blocks))
		}
		part, err := ix.readRollup(f, blocks)
		if err != nil {
			return 0, nil, err
		}
		gs = mergeGroups(gs, part, rankOf)
		end = f.b
	}
	for i := range gs {
		gs[i].first.rank, gs[i].last.rank = rankOf(gs[i].first.block), rankOf(gs[i].last.block)
	}
	m.key, m.upTo, m.gs = key, end, gs
	return end, gs, nil
}

// rollupSnapshot returns the committed blocks, sources and rollup chain,
// consistent with each other.
func (ix *Index) rollupSnapshot() ([]blockMeta, []string, []rollupFile, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if err := ix.check(); err != nil {
		return nil, nil, nil, err
	}
	return ix.blocks, ix.sources, ix.rollups, nil
}

// rollupCommitted extends the rollup after a commit (called by the
// writer, after the commit point, before the manifest is written): when
// rollupMinBlocks blocks or more lie past the chain's end, it writes a
// file for them and merges it with the files before it while those cover
// no more blocks. Failing leaves the chain as it was (readers summarise
// the blocks past it themselves).
func (ix *Index) rollupCommitted() error {
	blocks, sources, chain, err := ix.rollupSnapshot()
	if err != nil {
		return err
	}
	ix.removeStaleRollups(chain)
	end := 0
	if len(chain) > 0 {
		end = chain[len(chain)-1].b
	}
	if len(blocks)-end < rollupMinBlocks {
		return nil
	}
	p, err := ix.rollupPlan(blocks, sources, end, len(blocks))
	if err != nil {
		return err
	}
	p.transient = true
	gs, err := ix.groupPass(context.Background(), p, kFingerprint, rollupCols, true)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	var all *allSum
	if rollupAllEvents {
		if all, err = ix.allPass(context.Background(), blocks, end, len(blocks), rollupBucketSecs); err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
	}
	rank := sourceRanks(sources)
	rankOf := func(block int) int { return rank[blocks[block].src] }
	a := end
	for len(chain) > 0 {
		prev := chain[len(chain)-1]
		if prev.b-prev.a > len(blocks)-a {
			break
		}
		pg, pa, err := ix.readRollupParts(prev, blocks, true, all != nil)
		if err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
		gs = mergeGroups(pg, gs, rankOf)
		if all != nil {
			if pa == nil || pa.secs != all.secs {
				// Written before the all-event part (or with other
				// buckets): count its blocks once, here.
				pa, err = ix.allPass(context.Background(), blocks, prev.a, prev.b, all.secs)
			}
			if err != nil {
				return fmt.Errorf("rollup: %w", err)
			}
			all = mergeAll(pa, all)
		}
		a = prev.a
		chain = chain[:len(chain)-1]
	}
	f := rollupFile{name: rollupName(a, len(blocks)), a: a, b: len(blocks)}
	raw := ix.encodeRollup(blocks, a, len(blocks), gs, all)
	f.size, f.crc = int64(len(raw)), partSum(raw)
	full := filepath.Join(ix.dir, filepath.FromSlash(f.name))
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	if err := writeFileAtomic(full, raw); err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	chain = append(chain, f)
	ix.mu.Lock()
	ix.rollups = chain
	ix.mu.Unlock()
	if rollupWritten != nil {
		rollupWritten()
	}
	return nil
}

// rollupWritten, when set (by tests), is called once a rollup file is in
// place, before the manifest that lists it is written: a crash there.
var rollupWritten func()

// removeStaleRollups deletes the files of the rollup directory that
// neither chain nor the manifest on disk lists: merged away, or written by
// a writer that crashed before its manifest.
func (ix *Index) removeStaleRollups(chain []rollupFile) {
	keep := map[string]bool{}
	for _, f := range chain {
		keep[path.Base(f.name)] = true
	}
	man, err := readManifest(ix.dir)
	if err != nil {
		return
	}
	for _, f := range rollupsOf(man) {
		keep[path.Base(f.name)] = true
	}
	ents, err := os.ReadDir(ix.path(rollupDir))
	if err != nil {
		return
	}
	for _, e := range ents {
		if !keep[e.Name()] {
			os.Remove(filepath.Join(ix.path(rollupDir), e.Name()))
		}
	}
}

// rollupPlan is the plan of every error event of blocks [a, b).
func (ix *Index) rollupPlan(blocks []blockMeta, sources []string, a, b int) (*plan, error) {
	root, err := compileFilter(Filter{ErrorsOnly: true})
	if err != nil {
		return nil, err
	}
	root.prepare()
	p := &plan{root: root, blocks: blocks, sources: sources, digests: true, nums: make([]int, 0, b-a)}
	for n := a; n < b; n++ {
		p.nums = append(p.nums, n)
	}
	return p, nil
}

// rollupGroups returns the summary of every error group over every
// committed block, from the rollup and the blocks past it, and the plan of
// the snapshot it was computed on; ok is false without a rollup.
func (ix *Index) rollupGroups(ctx context.Context) (p *plan, gs []groupSum, ok bool, err error) {
	blocks, sources, chain, err := ix.rollupSnapshot()
	if err != nil || len(chain) == 0 {
		return nil, nil, false, err
	}
	end, view, err := ix.rollupView(blocks, sources, chain)
	if err != nil {
		// In the writer's process a commit may have merged away and
		// deleted a file of the chain just taken: read the new chain.
		b2, s2, c2, err2 := ix.rollupSnapshot()
		if err2 != nil || slices.Equal(c2, chain) {
			return nil, nil, false, err
		}
		blocks, sources, chain = b2, s2, c2
		if end, view, err = ix.rollupView(blocks, sources, chain); err != nil {
			return nil, nil, false, err
		}
	}
	p, err = ix.rollupPlan(blocks, sources, end, len(blocks))
	if err != nil {
		return nil, nil, false, err
	}
	if end == len(blocks) {
		return p, view, true, nil
	}
	m := &ix.rollMemo
	allKey := fmt.Sprintf("%s/%d/%d", m.keyOf(chain, sources), len(blocks), len(sources))
	m.mu.Lock()
	if m.allKey == allKey {
		gs = m.all
	}
	m.mu.Unlock()
	if gs != nil {
		return p, gs, true, nil
	}
	tail, err := ix.groupPass(ctx, p, kFingerprint, rollupCols, true)
	if err != nil {
		return nil, nil, false, err
	}
	rank := sourceRanks(sources)
	rankOf := func(block int) int { return rank[blocks[block].src] }
	gs = mergeGroups(view, tail, rankOf)
	for i := range gs {
		gs[i].first.rank, gs[i].last.rank = rankOf(gs[i].first.block), rankOf(gs[i].last.block)
	}
	m.mu.Lock()
	m.allKey, m.all = allKey, gs
	m.mu.Unlock()
	return p, gs, true, nil
}

// keyOf names a chain read with sources.
func (m *rollupMemo) keyOf(chain []rollupFile, sources []string) string {
	return strconv.Itoa(len(sources)) + " " + chainKey(chain)
}

// histogramRollup counts into out (n buckets of span from from) the error
// events of f from the rollup, when f selects error events, optionally of
// one fingerprint, in [f.Since, f.Until) and nothing else; ok is false
// when it does not apply (another filter, or no rollup). The rollup keeps
// every event's time, so a range that cuts anywhere is counted exactly.
func (ix *Index) histogramRollup(ctx context.Context, f Filter, from time.Time, span time.Duration, out []TimeBucket) (ok bool, err error) {
	g := f
	g.Fingerprint, g.Since, g.Until = "", time.Time{}, time.Time{}
	if g != (Filter{ErrorsOnly: true}) {
		return false, nil
	}
	if f.Fingerprint != "" && !ix.rollupLoaded() {
		return false, nil // one group: its digests, as for facetsRollup
	}
	_, gs, ok, err := ix.rollupGroups(ctx)
	if err != nil || !ok {
		return false, err
	}
	lo, hi := toTS(f.Since), toTS(f.Until)
	n := uint64(len(out))
	count := func(times []ts) {
		k0, _ := slices.BinarySearchFunc(times, lo, func(a, b ts) int { return a.cmp(b) })
		for _, t := range times[k0:] {
			if !t.less(hi) {
				break
			}
			if k := barOf(t, from, span, int(n)); k < n {
				out[k].Count++
			}
		}
	}
	if f.Fingerprint != "" {
		if i, found := slices.BinarySearchFunc(gs, f.Fingerprint, func(g groupSum, v string) int { return cmp.Compare(g.value, v) }); found {
			count(gs[i].times)
		}
		return true, nil
	}
	for i := range gs {
		count(gs[i].times)
	}
	return true, nil
}

// checkRollups checks the rollup chain (doctor): every file reads, follows
// the one before it, matches the block records it was computed from, and
// the chain's summary is exactly the one a pass over those blocks gives.
func (ix *Index) checkRollups(chain []rollupFile, blocks []blockMeta) error {
	if len(chain) == 0 {
		return nil
	}
	end, gs, err := ix.rollupView(blocks, ix.sources, chain)
	if err != nil {
		return err
	}
	p, err := ix.rollupPlan(blocks, ix.sources, 0, end)
	if err != nil {
		return err
	}
	want, err := ix.groupPass(context.Background(), p, kFingerprint, rollupCols, true)
	if err != nil {
		return err
	}
	last := chain[len(chain)-1].name
	if len(gs) != len(want) {
		return ix.damaged(last, "%d groups in the rollup, %d in blocks 0-%d", len(gs), len(want), end)
	}
	for i := range gs {
		if !sameGroup(&gs[i], &want[i]) {
			return ix.damaged(last, "group %q differs from blocks 0-%d", want[i].value, end)
		}
	}
	// The all-event part, file by file.
	for _, f := range chain {
		part, err := ix.readRollupAll(f, blocks)
		if err != nil {
			return err
		}
		if part == nil {
			continue
		}
		want, err := ix.allPass(context.Background(), blocks, f.a, f.b, part.secs)
		if err != nil {
			return err
		}
		if !sameAll(part, want) {
			return ix.damaged(f.name, "all-event counts differ from blocks %d-%d", f.a, f.b)
		}
	}
	return nil
}

// sameGroup reports whether two summaries are equal.
func sameGroup(a, b *groupSum) bool {
	ref := func(x *hit) [3]int64 { return [3]int64{int64(x.block), int64(x.idx), x.line} }
	if a.value != b.value || a.n != b.n || ref(&a.first) != ref(&b.first) || ref(&a.last) != ref(&b.last) ||
		!slices.Equal(a.times, b.times) || len(a.vals) != len(b.vals) {
		return false
	}
	for k := range a.vals {
		if !slices.Equal(a.vals[k], b.vals[k]) || !slices.Equal(a.ids[k], b.ids[k]) {
			return false
		}
	}
	return true
}

// verifyRollups reads every file of the rollup chain against the manifest
// and the block records (a writer, before it adds anything: so that a
// re-ingest does not succeed over a damaged rollup). Called with ix.mu
// held.
func (ix *Index) verifyRollups() error {
	end := 0
	for _, f := range ix.rollups {
		if f.a != end || f.b > len(ix.blocks) {
			return ix.damaged(f.name, "does not follow the rollup of blocks 0-%d (of %d)", end, len(ix.blocks))
		}
		if _, _, err := ix.readRollupParts(f, ix.blocks, true, true); err != nil {
			return err
		}
		end = f.b
	}
	return nil
}

// facetsRollup answers Facets from the rollup when f selects the error
// events of one fingerprint, optionally in a time range, and nothing else,
// every field is one the rollup counts, and the rollup is already in
// memory; ok is false otherwise.
func (ix *Index) facetsRollup(ctx context.Context, f Filter, fields []string, size int) (_ []Facet, ok bool, err error) {
	g := f
	g.Fingerprint, g.Since, g.Until = "", time.Time{}, time.Time{}
	if g != (Filter{ErrorsOnly: true}) || f.Fingerprint == "" {
		return nil, false, nil
	}
	slots := make([]int, len(fields))
	for i, name := range fields {
		if slots[i] = slices.Index(rollupFacets, name); slots[i] < 0 {
			return nil, false, nil
		}
	}
	// One group's facets read only its blocks' digests: the rollup (every
	// group) is worth reading for them only once a whole-index question
	// has read it (errors, the TUI home); a request alone does not.
	if !ix.rollupLoaded() {
		return nil, false, nil
	}
	_, gs, ok, err := ix.rollupGroups(ctx)
	if err != nil || !ok {
		return nil, false, err
	}
	i, found := slices.BinarySearchFunc(gs, f.Fingerprint, func(g groupSum, v string) int { return cmp.Compare(g.value, v) })
	if !found {
		out := make([]Facet, len(fields))
		for k, name := range fields {
			out[k] = Facet{Field: name, Buckets: []Bucket{}}
		}
		return out, true, nil
	}
	return rangeFacets(&gs[i], slots, fields, toTS(f.Since), toTS(f.Until), !f.Since.IsZero(), !f.Until.IsZero(), size), true, nil
}

// rollupLoaded reports whether the current rollup chain is in memory (a
// whole-index question read it).
func (ix *Index) rollupLoaded() bool {
	_, sources, chain, err := ix.rollupSnapshot()
	if err != nil || len(chain) == 0 {
		return false
	}
	m := &ix.rollMemo
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.key == m.keyOf(chain, sources)
}
