package ingest

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progressEvery is the redraw interval: at most 10 redraws a second.
const progressEvery = 100 * time.Millisecond

// progress draws a one-line progress bar on a terminal: bytes read of the
// total (when every source's size is known), lines/s and the ETA.
type progress struct {
	w       io.Writer
	start   time.Time
	total   atomic.Int64 // bytes to read; meaningful only when !unknown
	unknown atomic.Bool  // a stream is among the sources: no total
	done    atomic.Int64 // bytes read from disk or stdin (compressed for gzip)
	lines   atomic.Int64
	name    atomic.Pointer[string]

	stop  chan struct{}
	wg    sync.WaitGroup
	drawn bool // touched only by the drawing goroutine, then by finish
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now(), stop: make(chan struct{})}
	empty := ""
	p.name.Store(&empty)
	return p
}

// begin starts the redraw loop.
func (p *progress) begin() {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case now := <-t.C:
				io.WriteString(p.w, "\r"+p.line(now)+"\x1b[K")
				p.drawn = true
			}
		}
	}()
}

// finish stops the loop and clears the line, so the summary starts clean.
func (p *progress) finish() {
	close(p.stop)
	p.wg.Wait()
	if p.drawn {
		io.WriteString(p.w, "\r\x1b[K")
	}
}

func (p *progress) setName(s string) { p.name.Store(&s) }

// line renders the bar in at most 79 columns, e.g.
// "ingest logs/orders.log [###.......] 120/366 MiB 1.2M lines 410k/s ETA 0:42".
func (p *progress) line(now time.Time) string {
	el := now.Sub(p.start).Seconds()
	done, lines := p.done.Load(), p.lines.Load()
	var b strings.Builder
	name := []rune(*p.name.Load())
	if len(name) > 16 {
		name = append([]rune("…"), name[len(name)-15:]...)
	}
	fmt.Fprintf(&b, "ingest %-16s ", string(name))
	eta := ""
	if total := p.total.Load(); !p.unknown.Load() && total > 0 {
		frac := min(float64(done)/float64(total), 1)
		const width = 10
		fill := int(frac * width)
		b.WriteString("[" + strings.Repeat("#", fill) + strings.Repeat(".", width-fill) + "] ")
		fmt.Fprintf(&b, "%s/%s", mibNum(done, total), mib(total))
		if el > 0 && done > 0 && done < total {
			eta = " ETA " + fmtETA(time.Duration(float64(total-done)/(float64(done)/el)*float64(time.Second)))
		}
	} else {
		b.WriteString(mib(done) + " read")
	}
	b.WriteString(" " + count(float64(lines)) + " lines")
	if el > 0 {
		b.WriteString(" " + count(float64(lines)/el) + "/s")
	}
	b.WriteString(eta)
	return b.String()
}

// count abbreviates: 950, 12k, 1.2M.
func count(r float64) string {
	switch {
	case r >= 1e6:
		return strconv.FormatFloat(r/1e6, 'f', 1, 64) + "M"
	case r >= 1e4:
		return strconv.FormatFloat(r/1e3, 'f', 0, 64) + "k"
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

// mib formats a byte count in MiB, with a decimal below 10 MiB.
func mib(n int64) string { return mibNum(n, n) + " MiB" }

// mibNum formats n in MiB with the precision mib uses for scale.
func mibNum(n, scale int64) string {
	if scale < 10<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 0, 64)
}

func fmtETA(d time.Duration) string {
	s := int64(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
