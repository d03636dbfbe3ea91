package query

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// depPatterns recognise errors of a dependency or of the infrastructure:
// connections refused or reset, timeouts, DNS, exhausted pools, unreachable
// networks, an upstream's 5xx, an open circuit breaker. They are tried in
// order, the most specific first; the label names the kind in the verdict.
var depPatterns = []struct {
	label string
	re    *regexp.Regexp
}{
	{"connection pool exhausted", regexp.MustCompile(`pool (is )?exhausted|pool timeout|pool is (probably )?full|connection is not available|too many connections|too many clients|remaining connection slots|acquir(e|ing) (a )?connection|no (available|free) connection|connection pool`)},
	{"DNS failure", regexp.MustCompile(`no such host|enotfound|eai_again|name resolution|could not resolve|unknownhostexception|unknown host|name or service not known|nodename nor servname|getaddrinfo|\bdns\b|dnserror`)},
	{"connection refused", regexp.MustCompile(`connection refused|econnrefused|connectexception|refused to connect|connect: connection|could not connect|couldn't connect|unable to connect|failed to connect|cannot connect|can't connect|connection error|connectionerror|connection to \S+ refused`)},
	{"network unreachable", regexp.MustCompile(`network is unreachable|no route to host|ehostunreach|enetunreach|host is down|host unreachable`)},
	{"connection reset", regexp.MustCompile(`connection reset|econnreset|broken pipe|\bepipe\b|socket hang up|server closed the connection|connection (was )?(closed|aborted) (by|unexpectedly)|bad connection`)},
	{"upstream 5xx", regexp.MustCompile(`bad gateway|service unavailable|gateway time-?out|upstream|(status|code|returned|responded|response|http)\W{0,3}(code\W{0,3})?50[234]\b|\b50[234] (bad|service|gateway)`)},
	{"circuit breaker open", regexp.MustCompile(`circuit (breaker )?(is )?open|circuitbreaker|brokencircuit`)},
	{"timeout", regexp.MustCompile(`i/o timeout|deadline exceeded|etimedout|esockettimedout|timed out|timeout`)},
}

// dependencyKind returns the label of the dependency-failure pattern the
// error matches, or "". It reads the error type, the message and the
// header lines of the stack trace (exception lines, "Caused by:"), not its
// frames: a frame named requestWithTimeout is not a timeout.
func dependencyKind(errType, msg, stack string) string {
	text := strings.ToLower(errType + "\n" + msg + "\n" + stackHeaders(stack))
	for _, p := range depPatterns {
		if p.re.MatchString(text) {
			return p.label
		}
	}
	return ""
}

// stackHeaders returns the lines of a stack trace that are not frames.
func stackHeaders(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, l := range StackLines(s) {
		if l.Kind == StackHeader && !strings.HasPrefix(l.Text, "goroutine ") {
			b.WriteString(l.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// rollbackGrace is how long errors may go on after a rollback (requests in
// flight, pods draining) before they count as continuing.
const rollbackGrace = 30 * time.Second

// regression reports whether rule 2 holds: the shown deploy is a deploy of
// the error's service that reached the error's host, at most
// RegressionWindow before the first occurrence; the logs reach back before
// it — the failing service's own logs, not just any service's (so "never
// before the deploy" is something they can show); and, if it
// was rolled back, the errors stopped after the rollback (errors that go on
// after it were not caused by the deploy).
func regression(f *facts, o Options) bool {
	s := f.suspect
	if s == nil || !f.candidate || !sameService(s.Service, f.service) {
		return false
	}
	d := f.firstSeen.Sub(s.Time)
	if d < 0 || d > o.RegressionWindow || !f.serviceBefore && !f.routeBefore {
		return false
	}
	return f.rollback == nil || !f.lastSeen.After(f.rollback.Time.Add(rollbackGrace))
}

// blamed flags the shown deploy as the suspect when the verdict blames it.
func (an *analysis) blamed(cause string) {
	if cause == CauseDeployment || cause == CauseMisconfiguration && an.f.candidate && an.f.startedAt.IsZero() {
		markSuspect(an.suspect, an.nearby)
	}
}

// preExistingTolerance is how soon after the start of the logs an error
// must first appear to count as present from the start: 2% of the ingested
// window, at least two minutes (a rarely used endpoint takes a while to be
// called).
func preExistingTolerance(sp Span) time.Duration {
	return max(2*time.Minute, sp.Last.Sub(sp.First)/50)
}

// preExisting reports whether rule 3 holds: the error appears within the
// tolerance of the start of the logs and no deploy of its service falls
// between the two. Deploys of other services do not count, as in rule 2: at
// the start of an export they are usually the fleet starting up, and a
// regression is attributed to the service that logs the error.
func preExisting(f *facts) bool {
	if f.span.First.IsZero() {
		return false
	}
	lead := f.firstSeen.Sub(f.span.First)
	if lead < 0 || lead > preExistingTolerance(f.span) {
		return false
	}
	return deployBetween(f.deploys, f.service, f.span.First, f.firstSeen) == nil
}

// deployBetween returns the last deploy of service in (from, to], or nil.
func deployBetween(ds []Deploy, service string, from, to time.Time) *Deploy {
	var out *Deploy
	for i := range ds {
		if sameService(ds[i].Service, service) && ds[i].Time.After(from) && !ds[i].Time.After(to) {
			out = &ds[i]
		}
	}
	return out
}

// cause applies the verdict rules in order and returns the first that holds.
// It fetches the baseline numbers a rule needs only when that rule is
// reached, so that listing error groups stays cheap; a Report's facts are
// complete already and cost nothing more.
func (inv *Investigator) cause(ctx context.Context, f *facts) (string, error) {
	if f.crash != nil {
		return CauseCrash, nil
	}
	if ok, err := inv.misconfigured(ctx, f); err != nil || ok {
		if ok {
			return CauseMisconfiguration, nil
		}
		return "", err
	}
	if f.depKind != "" {
		return CauseDependency, nil
	}
	if f.endpointsAffected >= 3 {
		if err := inv.endpointsActive(ctx, f); err != nil {
			return "", err
		}
		if scopeOf(f.endpointsAffected, f.endpointsActive) == ScopeMostEndpoints {
			return CauseDependency, nil
		}
	}
	if regression(f, inv.opt) {
		return CauseDeployment, nil
	}
	if preExisting(f) {
		return CausePreExisting, nil
	}
	if f.usersAffected > 0 {
		if err := inv.usersActive(ctx, f); err != nil {
			return "", err
		}
		if userScopeOf(f.usersAffected, f.userDenominator()) == UserScopeSpecific {
			return CauseDataBug, nil
		}
	}
	if f.endpointsAffected == 1 {
		return CauseCodePath, nil
	}
	return CauseUnknown, nil
}

// endpointsActive fills f.endpointsActive from the baseline if needed.
func (inv *Investigator) endpointsActive(ctx context.Context, f *facts) error {
	if f.endpointsActive >= 0 {
		return nil
	}
	fc, err := inv.store.Facet(ctx, Filter{Since: f.windowFrom, Until: f.windowTo}, "route", 1)
	if err != nil {
		return fmt.Errorf("active endpoints: %w", err)
	}
	f.endpointsActive = fc.Distinct
	return nil
}

// usersActive fills the user denominator of f from the baseline if needed.
func (inv *Investigator) usersActive(ctx context.Context, f *facts) error {
	if f.singleRoute != "" {
		return inv.usersOnEndpoint(ctx, f)
	}
	if f.usersActive >= 0 {
		return nil
	}
	fc, err := inv.store.Facet(ctx, Filter{Since: f.windowFrom, Until: f.windowTo}, "user", 1)
	if err != nil {
		return fmt.Errorf("active users: %w", err)
	}
	f.usersActive = fc.Distinct
	return nil
}

// verdict writes the verdict of an analysed group: a one-sentence summary
// an on-call engineer reads first, the evidence with its numbers, and what
// to do next.
func verdict(cause string, an *analysis, o Options) Verdict {
	f := &an.f
	v := Verdict{Cause: cause, Evidence: []string{}, NextSteps: []string{}}
	ev := func(format string, a ...any) { v.Evidence = append(v.Evidence, fmt.Sprintf(format, a...)) }
	step := func(format string, a ...any) { v.NextSteps = append(v.NextSteps, fmt.Sprintf(format, a...)) }
	b := an.blast
	s := f.suspect
	errText := oneLine(joinNonEmpty(": ", f.errType, f.errMsg), 100)
	frame := culpritText(an.first.Stack)
	route := f.singleRoute
	occurrences := fmt.Sprintf("%s in %s from %s to %s", plural(f.count, "occurrence"), plural(f.requests, "request"),
		fmtTime(f.firstSeen), fmtTime(f.lastSeen))

	switch cause {
	case CauseCrash:
		c := f.crash
		v.Summary = fmt.Sprintf("Crash: %s crashed at %s (%s)", c.service, fmtTime(c.at), oneLine(joinNonEmpty(": ", c.errType, c.message), 80))
		if !c.restarted.IsZero() {
			v.Summary += fmt.Sprintf(" and restarted %s later", humanDuration(c.restarted.Sub(c.at).Seconds()))
		}
		v.Summary += fmt.Sprintf("; its callers saw %s", orDash(f.depKind))
		if c.trigger {
			ev("%s crashed while this request was in flight: the request is a likely trigger (%s)", c.service, orDash(f.firstRequestID))
		} else {
			ev("%s crashed at %s, before this request reached it", c.service, fmtTime(c.at))
		}
		if c.line != nil {
			ev("the crash output: %s (%s)", oneLine(c.line.Message, 120), sourceOf(c.line))
		}
		if !c.restarted.IsZero() {
			ev("%s was down %s: it started again at %s", c.service, humanDuration(c.restarted.Sub(c.at).Seconds()), fmtTime(c.restarted))
		} else {
			ev("no start-up of %s follows in the logs", c.service)
		}
		ev("%s failed with %s: %s", orDash(f.service), orDash(f.depKind), errText)
		ev("%s", occurrences)
		step("fix the crash of %s: %s", c.service, oneLine(joinNonEmpty(": ", c.errType, c.message), 100))
		if c.trigger {
			step("reproduce with the request that triggered it (%s)", orDash(f.firstRequestID))
		}
		step("make %s's callers retry or degrade while it restarts; check its restarts (kubectl get pods, exit codes)", c.service)
	case CauseMisconfiguration:
		v.Summary = fmt.Sprintf("Misconfiguration: %s is missing or invalid in %s", f.configKey, orDash(f.service))
		if s != nil && f.candidate && f.startedAt.IsZero() {
			v.Summary += fmt.Sprintf(" since %s %s, deployed %s before the first occurrence — restore the setting or roll back",
				s.Service, orDash(s.Version), humanDuration(-s.OffsetSeconds))
			ev("%s %s was deployed at %s, %s before the first occurrence at %s", s.Service, orDash(s.Version), fmtTime(s.Time),
				humanDuration(-s.OffsetSeconds), fmtTime(f.firstSeen))
		} else if !f.startedAt.IsZero() {
			v.Summary += fmt.Sprintf(" since it started at %s — restore the setting", fmtTime(f.startedAt))
			ev("%s started at %s, %s before the first occurrence", orDash(f.service), fmtTime(f.startedAt), humanDuration(f.firstSeen.Sub(f.startedAt).Seconds()))
		}
		ev("the error names the configuration key %s: %s", f.configKey, errText)
		ev("%s", occurrences)
		if sp := spread(f); sp != "" {
			ev("%s", sp)
		}
		step("check %s's configuration and environment for %s (compare the release's config, helm values or env with the previous one)", orDash(f.service), f.configKey)
		if s != nil && f.candidate {
			if prev := previousDeploy(f.deploys, s); prev != nil {
				step("if it cannot be restored quickly, roll back %s %s to %s", s.Service, orDash(s.Version), orDash(prev.Version))
			}
		}
		step("reproduce with request %s", orDash(f.firstRequestID))
	case CauseDependency:
		if f.depKind != "" {
			v.Summary = fmt.Sprintf("Dependency failure (%s) in %s: %s — check the dependency's health", f.depKind, orDash(f.service), errText)
			if f.dependency != "" {
				v.Summary = fmt.Sprintf("Dependency failure (%s) in %s calling %s: %s — check %s's health", f.depKind, orDash(f.service), f.dependency, errText, f.dependency)
			}
			if regression(f, o) {
				v.Summary += fmt.Sprintf("; %s %s was deployed %s before: check its connection settings", s.Service, orDash(s.Version),
					humanDuration(-s.OffsetSeconds))
			}
			ev("the error is a dependency failure (%s): %s", f.depKind, errText)
			if f.latency != nil {
				ev("%s", f.latency.String())
			}
		} else {
			v.Summary = fmt.Sprintf("Dependency or infrastructure failure: the error spans %d of %d active endpoints — check shared dependencies",
				f.endpointsAffected, f.endpointsActive)
		}
		if f.endpointsAffected > 0 && f.endpointsActive > 0 {
			ev("%d of %d active endpoints fail with it", f.endpointsAffected, f.endpointsActive)
		}
		ev("%s", occurrences)
		step("check the health and dashboards of the dependency %s calls (database, cache, upstream service, DNS)", orDash(f.service))
		step("look for an infrastructure event around %s: failover, restart, network or config change", fmtTime(f.firstSeen))
		if s != nil {
			step("a rollback only helps if %s %s changed how %s reaches its dependencies", orDash(s.Service), orDash(s.Version), orDash(f.service))
		}
	case CauseDeployment:
		v.Summary = fmt.Sprintf("Deployment regression: %s %s, deployed %s before the first occurrence — rollback candidate",
			s.Service, orDash(s.Version), humanDuration(-s.OffsetSeconds))
		ev("%s %s was deployed at %s, %s before the first occurrence at %s (request %s)",
			s.Service, orDash(s.Version), fmtTime(s.Time), humanDuration(-s.OffsetSeconds), fmtTime(f.firstSeen), orDash(f.firstRequestID))
		lead := humanDuration(s.Time.Sub(f.span.First).Seconds())
		if f.serviceBefore {
			ev("%s logged before that deploy, and the logs, which start %s before it, hold no earlier occurrence", s.Service, lead)
		} else {
			ev("%s was requested before that deploy (%s logged nothing before it), and the logs, which start %s before it, hold no earlier occurrence",
				f.route, s.Service, lead)
		}
		if len(s.Hosts) > 0 {
			ev("the deploy went to %s only, and the error is on %s", strings.Join(s.Hosts, ", "), orDash(f.host))
		}
		if rb := f.rollback; rb != nil {
			ev("the errors stopped after the rollback at %s to %s (last seen %s)", fmtTime(rb.Time), orDash(rb.Version), fmtTime(f.lastSeen))
		}
		ev("%s", occurrences)
		if sp := spread(f); sp != "" {
			ev("%s", sp)
		}
		if prev := previousDeploy(f.deploys, s); prev != nil {
			step("roll back %s %s (commit %s) to %s (commit %s)", s.Service, orDash(s.Version), orDash(s.Commit),
				orDash(prev.Version), orDash(prev.Commit))
		} else {
			step("roll back %s %s (commit %s) to the release before it", s.Service, orDash(s.Version), orDash(s.Commit))
		}
		if frame != "" {
			step("diff the release against its predecessor around %s", frame)
		} else {
			step("diff the release against its predecessor on the failing code path")
		}
		step("watch the error rate after the rollback; reproduce with request %s", orDash(f.firstRequestID))
	case CausePreExisting:
		v.Summary = fmt.Sprintf("Pre-existing error: present since the start of the logs (first seen %s in) — no deploy in them explains it",
			humanDuration(f.firstSeen.Sub(f.span.First).Seconds()))
		ev("first seen at %s, %s after the first ingested line (%s)", fmtTime(f.firstSeen),
			humanDuration(f.firstSeen.Sub(f.span.First).Seconds()), fmtTime(f.span.First))
		ev("no deploy of %s between the start of the logs and the first occurrence", orDash(f.service))
		if s != nil && s.Time.Before(f.span.First) {
			ev("%s %s was deployed %s before the first occurrence, before the logs begin: they cannot show whether the error predates it",
				orDash(s.Service), orDash(s.Version), humanDuration(-s.OffsetSeconds))
		}
		ev("%s", occurrences)
		if sp := spread(f); sp != "" {
			ev("%s", sp)
		}
		step("this is not a new regression: file a bug with the stack trace and request %s", orDash(f.firstRequestID))
		step("ingest older logs and the deploy history to find when it started")
	case CauseDataBug:
		den, where := f.userDenominator(), "active users"
		if route != "" {
			where = "users of " + route
		}
		v.Summary = fmt.Sprintf("Data-specific bug: only %d of %d %s hit it — inspect the affected users' data", f.usersAffected, den, where)
		ev("%d of %d %s in the window hit it", f.usersAffected, den, where)
		ev("%s", occurrences)
		users := ""
		if b != nil {
			var us []string
			for _, u := range b.Users {
				us = append(us, u.User)
			}
			users = strings.Join(us, ", ")
		}
		if users != "" {
			step("inspect the data of the affected users: %s", users)
		} else {
			step("inspect the data of the affected users")
		}
		step("reproduce with request %s, then fix the code to handle that data", orDash(f.firstRequestID))
	case CauseCodePath:
		v.Summary = fmt.Sprintf("Code-path bug: every failure is on %s — fix forward on that code path", orDash(route))
		ev("all failures are on %s", orDash(route))
		if f.usersAffected > 0 {
			ev("%d of %d users of the endpoint hit it: not specific to some users' data", f.usersAffected, f.userDenominator())
		}
		ev("%s", occurrences)
		if frame != "" {
			step("fix forward on %s: start at %s", orDash(route), frame)
		} else {
			step("fix forward on %s", orDash(route))
		}
		step("reproduce with request %s", orDash(f.firstRequestID))
	default:
		v.Summary = fmt.Sprintf("Cause unknown: %s since %s; no deploy, dependency or data pattern explains it",
			plural(f.count, "occurrence"), fmtTime(f.firstSeen))
		ev("%s", occurrences)
		if s := spread(f); s != "" {
			ev("%s", s)
		}
		step("compare the failing requests with successful ones on the same endpoints (culprit search)")
		step("widen the ingested window: older logs and the full deploy history")
	}
	if f.rate != nil {
		ev("%s", f.rate.String())
	}
	if cause != CauseDeployment && !(cause == CauseMisconfiguration && f.candidate) && s != nil {
		ev("nearest earlier deploy: %s %s at %s, %s before the first occurrence (not blamed)", orDash(s.Service), orDash(s.Version),
			fmtTime(s.Time), humanDuration(-s.OffsetSeconds))
		if f.candidate && !f.serviceBefore && !f.routeBefore {
			ev("%s logged nothing before that deploy: the logs cannot show whether the error is new since it", orDash(f.service))
		}
		if f.candidate && f.rollback != nil && f.lastSeen.After(f.rollback.Time.Add(rollbackGrace)) {
			ev("the errors went on after the rollback at %s to %s (last seen %s): the deploy was not the cause",
				fmtTime(f.rollback.Time), orDash(f.rollback.Version), fmtTime(f.lastSeen))
		}
	}
	if b != nil {
		for i, o := range b.Outliers {
			if i == 3 {
				break
			}
			ev("%s %s: %s of failures vs %s of traffic", o.Field, o.Value, percent(o.FailureShare), percent(o.BaselineShare))
		}
	}
	return v
}

// spread describes the endpoints and users a group affects, when known.
func spread(f *facts) string {
	var parts []string
	switch {
	case f.endpointsActive < 0:
	case f.endpointsAffected == 0:
		parts = append(parts, "the failures carry no route")
	default:
		parts = append(parts, fmt.Sprintf("%d of %d active endpoints", f.endpointsAffected, f.endpointsActive))
	}
	if f.usersActive > 0 && f.usersAffected > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d active users", f.usersAffected, f.usersActive))
	}
	if len(parts) == 0 {
		return ""
	}
	return "affected: " + strings.Join(parts, ", ")
}

// ungroupedVerdict is the verdict for an error without a fingerprint: only
// the dependency rule can be judged from the error alone.
func ungroupedVerdict(re *RootError) *Verdict {
	v := &Verdict{Cause: CauseUnknown, Evidence: []string{"the error has no fingerprint, so its other occurrences cannot be found"}, NextSteps: []string{}}
	errText := oneLine(joinNonEmpty(": ", re.Type, re.Message), 100)
	if kind := dependencyKind(re.Type, re.Message, re.Stack); kind != "" {
		v.Cause = CauseDependency
		v.Summary = fmt.Sprintf("Dependency failure (%s) in %s: %s — check the dependency's health", kind, orDash(re.Service), errText)
		v.Evidence = append([]string{fmt.Sprintf("the error is a dependency failure (%s): %s", kind, errText)}, v.Evidence...)
		v.NextSteps = append(v.NextSteps, fmt.Sprintf("check the health and dashboards of the dependency %s calls", orDash(re.Service)))
		return v
	}
	v.Summary = fmt.Sprintf("Cause unknown: %s failed with %s; the error cannot be grouped with other occurrences", orDash(re.Service), errText)
	v.NextSteps = append(v.NextSteps, "read the stack trace and the request timeline", "search for the message with culprit search")
	return v
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// oneLine keeps the first line of s, at most n runes.
func oneLine(s string, n int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func percent(x float64) string {
	return fmt.Sprintf("%.0f%%", x*100)
}

// humanDuration writes a number of seconds the way people say it: "6 s",
// "4 min 12 s", "2 h 5 min", "3 d 4 h".
func humanDuration(sec float64) string {
	if sec < 0 {
		sec = -sec
	}
	switch {
	case sec < 1:
		return fmt.Sprintf("%d ms", int64(sec*1000+0.5))
	case sec < 10:
		if sec == float64(int64(sec)) {
			return fmt.Sprintf("%d s", int64(sec))
		}
		return fmt.Sprintf("%.1f s", sec)
	case sec < 60:
		return fmt.Sprintf("%d s", int64(sec+0.5))
	}
	s := int64(sec + 0.5)
	switch {
	case s < 3600:
		if s%60 == 0 {
			return fmt.Sprintf("%d min", s/60)
		}
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	case s < 86400:
		if (s%3600)/60 == 0 {
			return fmt.Sprintf("%d h", s/3600)
		}
		return fmt.Sprintf("%d h %d min", s/3600, (s%3600)/60)
	}
	if (s%86400)/3600 == 0 {
		return fmt.Sprintf("%d d", s/86400)
	}
	return fmt.Sprintf("%d d %d h", s/86400, (s%86400)/3600)
}

// previousDeploy returns the deploy of s's service just before s, with a
// different version: the release a rollback goes back to. nil when the
// history does not hold it.
func previousDeploy(ds []Deploy, s *DeployRef) *Deploy {
	var out *Deploy
	for i := range ds {
		d := &ds[i]
		if sameService(d.Service, s.Service) && d.Time.Before(s.Time) && d.Version != s.Version &&
			(out == nil || d.Time.After(out.Time)) {
			out = d
		}
	}
	return out
}
