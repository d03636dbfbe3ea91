package query

import (
	"encoding/json"
	"time"
)

// Verdict causes, in the order the rules are tried.
const (
	CauseDependency  = "dependency-failure"
	CauseDeployment  = "deployment-regression"
	CausePreExisting = "pre-existing"
	CauseDataBug     = "data-specific-bug"
	CauseCodePath    = "code-path-bug"
	CauseUnknown     = "unknown"
)

// Report is the investigation of one request ID: the object
// `culprit request ID --json` prints. Field names and shapes are the CLI
// contract (README, docs/design.md): extend, never change.
type Report struct {
	RequestID string        `json:"request_id"`
	Found     bool          `json:"found"`
	Hint      string        `json:"hint,omitempty"`
	Services  []string      `json:"services"`
	Events    []ReportEvent `json:"events"`
	// EventsTotal is the number of events the request ID matched; Events
	// holds at most MaxRequestEvents of them.
	EventsTotal int `json:"events_total"`
	// TraceIDs are the trace ids of the request's lines; LinkedIDs every
	// id the request expanded to (the pasted one first), and Bound, when
	// set, says the expansion stopped at MaxLinkedIDs ids or
	// MaxRequestEvents lines.
	TraceIDs  []string   `json:"trace_ids"`
	LinkedIDs []LinkedID `json:"linked_ids"`
	Bound     string     `json:"bound,omitempty"`
	// ClockOffsets are the services whose clocks the request shows to be
	// off against the service it entered by.
	ClockOffsets  []ClockOffset `json:"clock_offsets,omitempty"`
	Error         *RootError    `json:"error"`
	Group         *Group        `json:"group"`
	Deploy        *DeployRef    `json:"deploy"`
	DeploysNearby []DeployRef   `json:"deploys_nearby"`
	BlastRadius   *BlastRadius  `json:"blast_radius"`
	Verdict       *Verdict      `json:"verdict"`
	// Compare is filled only on request (request --compare): see Compare.
	Compare *DeployComparison `json:"compare,omitempty"`
}

// ReportEvent is one line of the request's timeline.
type ReportEvent struct {
	Time      time.Time       `json:"time"`
	Service   string          `json:"service"`
	Level     string          `json:"level"`
	Message   string          `json:"message"`
	Error     string          `json:"error,omitempty"` // the error text, when the line carries one
	Method    string          `json:"method"`
	Path      string          `json:"path"`
	Route     string          `json:"route"`
	Status    int             `json:"status"` // null in JSON when the line has none
	User      string          `json:"user"`
	RequestID string          `json:"request_id"`
	Source    string          `json:"source"` // file:line
	IsError   bool            `json:"is_error,omitempty"`
	MatchedBy string          `json:"matched_by,omitempty"` // how it carries the pasted ID: MatchRequestID, MatchTraceID, MatchToken, MatchWords (an extension)
	Fields    json.RawMessage `json:"fields"`               // the original object, or null for a text line
	// Host, Version and the trace context of the line, when it has them.
	Host         string `json:"host,omitempty"`
	Version      string `json:"version,omitempty"`
	TraceID      string `json:"trace_id,omitempty"`
	SpanID       string `json:"span_id,omitempty"`
	ParentSpanID string `json:"parent_span_id,omitempty"`
	// LinkedBy says how the line joined the request: "request_id" (it
	// carries the pasted ID or a request id of the request's trace) or
	// "trace_id" (it carries the request's trace id). Set in a Report's
	// events only.
	LinkedBy string `json:"linked_by,omitempty"`
}

// RootError is the error that caused the request's failure.
type RootError struct {
	Fingerprint string    `json:"fingerprint"`
	Type        string    `json:"type"`
	Message     string    `json:"message"`
	Stack       string    `json:"stack"`
	Service     string    `json:"service"`
	Route       string    `json:"route"`
	Time        time.Time `json:"time"`
	Source      string    `json:"source"`
	// Chain: the wrappers logged after it by upstream services, oldest first.
	Chain []ReportEvent `json:"chain,omitempty"`
}

// StackFrame is the frame of a stack trace to read first (see Culprit):
// where the error happened in the application's own code.
type StackFrame struct {
	Function string `json:"function"` // qualified, without arguments; "" for an anonymous JavaScript function
	Module   string `json:"module"`   // package, class or module
	File     string `json:"file"`
	Line     int    `json:"line"`   // 0 when unknown
	Column   int    `json:"column"` // 0 when unknown
	Text     string `json:"text"`   // "function (dir/file:line)", as the text report and the TUI print it
}

// Group is every occurrence of one fingerprint over everything ingested.
type Group struct {
	Fingerprint    string       `json:"fingerprint"`
	Count          int          `json:"count"`
	Requests       int          `json:"requests"`
	FirstSeen      time.Time    `json:"first_seen"`
	FirstRequestID string       `json:"first_request_id"`
	LastSeen       time.Time    `json:"last_seen"`
	Histogram      []TimeBucket `json:"histogram"`
}

// DeployRef is a deploy placed relative to a group's first occurrence.
type DeployRef struct {
	Time          time.Time `json:"time"`
	Service       string    `json:"service"`
	Version       string    `json:"version"`
	Commit        string    `json:"commit"`
	Author        string    `json:"author"`
	Environment   string    `json:"environment"`
	OffsetSeconds float64   `json:"offset_seconds"` // negative = before first_seen
	// Suspect: the verdict blames this deploy (a deployment regression).
	// A deploy shown only as the nearest one has it false.
	Suspect bool     `json:"suspect,omitempty"`
	Hosts   []string `json:"hosts,omitempty"`  // the hosts it went to (a canary), if the history says
	Status  string   `json:"status,omitempty"` // the history's status (failed deploys are never blamed)
}

// BlastRadius compares the failures with all traffic in the same window.
type BlastRadius struct {
	Endpoints         []EndpointCount `json:"endpoints"`
	EndpointsAffected int             `json:"endpoints_affected"`
	EndpointsActive   int             `json:"endpoints_active"`
	Users             []UserCount     `json:"users"`
	UsersAffected     int             `json:"users_affected"`
	UsersActive       int             `json:"users_active"`
	// UsersOnEndpoint: when exactly one endpoint is affected, the users
	// active on it in the window; user_scope compares users_affected with
	// it (a bug on a rarely used endpoint hits everyone who uses it, a
	// small share of all users). 0 otherwise.
	UsersOnEndpoint int       `json:"users_on_endpoint,omitempty"`
	Services        []string  `json:"services"`
	Scope           string    `json:"scope"`      // single-endpoint | several-endpoints | most-endpoints | unknown (no routes)
	UserScope       string    `json:"user_scope"` // specific-users | broad | unknown (no users)
	Outliers        []Outlier `json:"outliers"`
	WindowStart     time.Time `json:"window_start"`
	WindowEnd       time.Time `json:"window_end"`
}

// EndpointCount is an endpoint and how many of the group's failures hit it.
type EndpointCount struct {
	Route string `json:"route"`
	Count int    `json:"count"`
}

// UserCount is a user and how many of the group's failures they met.
type UserCount struct {
	User  string `json:"user"`
	Count int    `json:"count"`
}

// Outlier is a dimension value over-represented among the failures.
type Outlier struct {
	Field         string  `json:"field"`
	Value         string  `json:"value"`
	FailureShare  float64 `json:"failure_share"`
	BaselineShare float64 `json:"baseline_share"`
}

// Verdict is the conclusion, with its evidence and what to do next.
type Verdict struct {
	Cause     string   `json:"cause"`
	Summary   string   `json:"summary"`
	Evidence  []string `json:"evidence"`
	NextSteps []string `json:"next_steps"`
}

// ErrorGroup is one line of `culprit errors`.
type ErrorGroup struct {
	Fingerprint       string     `json:"fingerprint"`
	Type              string     `json:"type"`
	Message           string     `json:"message"`
	Service           string     `json:"service"`
	Count             int        `json:"count"`
	Requests          int        `json:"requests"`
	FirstSeen         time.Time  `json:"first_seen"`
	LastSeen          time.Time  `json:"last_seen"`
	FirstRequestID    string     `json:"first_request_id"`
	EndpointsAffected int        `json:"endpoints_affected"`
	UsersAffected     int        `json:"users_affected"`
	Deploy            *DeployRef `json:"deploy"`
	New               bool       `json:"new"` // first appeared after a deploy of its service
	// WrapperOf is set when the group is an upstream service's report of a
	// downstream failure: the fingerprint of the root error of its first
	// request. Such groups are listed after the groups of root errors.
	WrapperOf string `json:"wrapper_of,omitempty"`
	// Wraps lists every root-error group the sampled requests of a wrapper
	// group end in, most frequent first (wrapper_of is the first).
	Wraps     []string     `json:"wraps,omitempty"`
	Cause     string       `json:"cause"`
	Histogram []TimeBucket `json:"histogram,omitempty"`
}

// ErrorsOptions select and order error groups.
type ErrorsOptions struct {
	Since, Until time.Time // zero: unbounded
	Service      string
	Sort         string // "count" (default, most first) or "first_seen" (newest first)
	Limit        int    // 0: all
	// Buckets > 0 asks for a histogram of each group's occurrences, in this
	// many buckets over [Since, Until) (the ingested span where unset).
	Buckets int
}

// SearchOptions are the arguments of `culprit search` and the TUI's explore
// screen.
type SearchOptions struct {
	Query        string // bleve query-string syntax over the canonical fields
	Since, Until time.Time
	Service      string
	Level        string // this level or worse
	Limit        int    // 0: 50
	Offset       int
	Order        Order // NewestFirst by default in the CLI
}
