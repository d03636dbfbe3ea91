package tui

import (
	"time"

	"github.com/culprit-dev/culprit/query"
)

// Messages. Results of Backend calls carry the sequence number of the
// request or query they answer; a message whose seq is no longer current is
// dropped.

// spanMsg answers Span.
type spanMsg struct {
	span query.Span
	err  error
}

// deploysMsg answers Deploys.
type deploysMsg struct {
	deploys []query.Deploy
	err     error
}

// groupsMsg answers the home screen's Errors.
type groupsMsg struct {
	seq    int
	groups []query.ErrorGroup
	err    error
}

// groupHistMsg is the fallback sparkline of one error group that came
// without a histogram.
type groupHistMsg struct {
	seq         int
	fingerprint string
	buckets     []query.TimeBucket
}

// homeHistMsg answers the home screen's error histogram.
type homeHistMsg struct {
	seq     int
	width   int
	buckets []query.TimeBucket
	err     error
}

// openRequestMsg asks the root model to investigate a request ID. With
// search set, an ID the index does not know is searched as text instead.
type openRequestMsg struct {
	id     string
	search bool
}

// openExploreMsg asks the root model to open the explore screen on a query.
type openExploreMsg struct {
	query  string
	oldest bool // oldest first (a stack frame: its first occurrence on top)
	// until, when set, is the end of a context window: explore follows
	// from the start when the window reaches past the newest line, so the
	// lines still being written into it come in.
	until time.Time
}

// reportMsg answers Request.
type reportMsg struct {
	seq    int
	id     string
	report *query.Report
	err    error
}

// searchInsteadMsg: the ID was unknown but the text occurs in the logs.
type searchInsteadMsg struct {
	seq   int
	query string
}

// pageMsg is one page of explore results.
type pageMsg struct {
	seq  int
	page int
	res  query.Result
	err  error
}

// facetsMsg answers the explore screen's facets.
type facetsMsg struct {
	seq    int
	facets []query.Facet
	err    error
}

// exploreHistMsg answers the explore screen's histogram of hits.
type exploreHistMsg struct {
	seq     int
	width   int
	buckets []query.TimeBucket
	err     error
}

// debounceMsg fires after typing in the explore query pauses.
type debounceMsg struct{ tag int }

// statusMsg shows a transient status line.
type statusMsg struct {
	text string
	err  bool
}

// clearStatusMsg clears the status line if it is still the one numbered seq.
type clearStatusMsg struct{ seq int }

// clipboardMsg asks the root model to copy text (OSC 52) and show status.
type clipboardMsg struct {
	text   string
	status string
}

// compareMsg answers Compare for the request numbered seq.
type compareMsg struct {
	seq    int
	report *query.Report // what was compared
	cmp    *query.DeployComparison
	err    error
}

// openCompareMsg asks the root model to compare around report's deploy.
type openCompareMsg struct{ report *query.Report }

// openLineMsg asks the root model to show one line of a request whole.
type openLineMsg struct {
	ev query.ReportEvent
}
