package index

import (
	"container/list"
	"os"
	"strconv"
	"sync"
)

// cacheBytes bounds the decoded block parts an Index keeps (the estimate of
// their memory). A query over the whole index goes through every block once
// and does not benefit from a cache larger than what it revisits (a page of
// results, the blocks of a request), so this stays small: the memory of a
// query is bounded by it, not by the size of the index.
const cacheBytes = 64 << 20

// digestCacheBytes bounds the decoded error digests an Index keeps, apart
// from the other block parts. The error groups' list reads every digest
// once, then each group's blocks again for its facets, its cause and its
// requests: when the digests do not all fit, an LRU shared with block
// columns evicts each one before the next pass reaches it, and every pass
// reads and decodes them again. Digests are small (the error lines of a
// block), so those of ~10M lines (~140 MB by the estimate of decoded
// size, which counts every column decoded) fit; beyond, the passes read
// again, with memory still bounded.
const digestCacheBytes = 192 << 20

// Kinds of cached block parts.
const (
	kindCols = iota
	kindWords
	kindDigits
	kindFrame
	kindBloom
	kindDigest
	kindTally
	kindKW       // the keyword columns of a block alone (loadKWCols)
	kindKWColumn // one keyword column (frame: the column)
)

type cacheKey struct {
	kind, block, frame int
}

type cacheEntry struct {
	key  cacheKey
	val  any
	size int
}

// cache is a size-bounded LRU of decoded block parts, safe for concurrent
// use.
type cache struct {
	mu    sync.Mutex
	max   int
	size  int
	ll    *list.List
	items map[cacheKey]*list.Element
}

// envCacheDiv names a hidden environment variable for benchmarks: when it
// holds an integer d > 1, every cache bound is divided by d, so that a
// short run shows the caches reaching their bound and staying there
// (scripts/bench/follow.sh -c).
const envCacheDiv = "CULPRIT_CACHE_DIV"

func newCache(max int) *cache {
	if d, err := strconv.Atoi(os.Getenv(envCacheDiv)); err == nil && d > 1 {
		max /= d
	}
	return &cache{max: max, ll: list.New(), items: map[cacheKey]*list.Element{}}
}

func (c *cache) get(k cacheKey) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).val, true
	}
	return nil, false
}

func (c *cache) put(k cacheKey, v any, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		ent := e.Value.(*cacheEntry)
		c.size += size - ent.size
		ent.val, ent.size = v, size
		c.ll.MoveToFront(e)
	} else {
		c.items[k] = c.ll.PushFront(&cacheEntry{key: k, val: v, size: size})
		c.size += size
	}
	for c.size > c.max && c.ll.Len() > 1 {
		e := c.ll.Back()
		ent := e.Value.(*cacheEntry)
		c.ll.Remove(e)
		delete(c.items, ent.key)
		c.size -= ent.size
	}
}

// drop removes every entry of blocks >= from (after a writer discarded
// them).
func (c *cache) drop(from int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.items {
		if k.block >= from {
			c.size -= e.Value.(*cacheEntry).size
			c.ll.Remove(e)
			delete(c.items, k)
		}
	}
}
