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
// "ingest logs/orders.log    [###.......] 120/366 MiB  410k lines/s ETA 0:42".
func (p *progress) line(now time.Time) string {
	el := now.Sub(p.start).Seconds()
	done, lines := p.done.Load(), p.lines.Load()
	var b strings.Builder
	name := []rune(*p.name.Load())
	if len(name) > 18 {
		name = append([]rune("…"), name[len(name)-17:]...)
	}
	fmt.Fprintf(&b, "ingest %-18s ", string(name))
	eta := ""
	if total := p.total.Load(); !p.unknown.Load() && total > 0 {
		frac := min(float64(done)/float64(total), 1)
		const width = 10
		fill := int(frac * width)
		b.WriteString("[" + strings.Repeat("#", fill) + strings.Repeat(".", width-fill) + "] ")
		fmt.Fprintf(&b, "%.0f/%s ", float64(done)/(1<<20), mib(total))
		if el > 0 && done > 0 && done < total {
			eta = " ETA " + fmtETA(time.Duration(float64(total-done)/(float64(done)/el)*float64(time.Second)))
		}
	} else {
		fmt.Fprintf(&b, "%s read ", mib(done))
	}
	if el > 0 {
		b.WriteString(" " + rate(float64(lines)/el) + " lines/s")
	}
	b.WriteString(eta)
	return b.String()
}

func rate(r float64) string {
	switch {
	case r >= 10e6:
		return strconv.FormatFloat(r/1e6, 'f', 0, 64) + "M"
	case r >= 1e4:
		return strconv.FormatFloat(r/1e3, 'f', 0, 64) + "k"
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

func fmtETA(d time.Duration) string {
	s := int64(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
