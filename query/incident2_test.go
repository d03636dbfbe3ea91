package query_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/query"
)

// The second incident (testdata/incident2, README there) is real output of
// five services that correlate by W3C trace context only: winston (gateway,
// which alone logs the request id), python-json-logger (checkout, clock 1.5 s
// behind), zap (inventory), logrus in ECS names (db) and log4j2 JsonLayout
// (payments, two hosts). Its ground truth, truth.json, was derived by
// scripts/incident2/truth.py, which shares no code with culprit. This test
// ingests it as a user would (the logs directory and every deploy history
// file, no field mappings) and checks culprit's answer for each case: the
// trace join, the root error, the cause, the suspect deploy and, where the
// case has them, the missing key, the crashed service, the dependency and its
// latency, the canary's host and version, the affected routes, the rollback
// and the clock skew. Written for issue 10, before its implementation.
const incident2 = "../testdata/incident2"

// truthCase is one case of truth.json.
type truthCase struct {
	Name      string   `json:"name"`
	PastedID  string   `json:"pasted_id"`
	Found     bool     `json:"found"`
	TraceIDs  []string `json:"trace_ids"`
	Services  []string `json:"services"`
	Route     string   `json:"route"`
	Cause     *string  `json:"cause"`
	RootError *struct {
		Service string `json:"service"`
		Host    string `json:"host"`
		Version string `json:"version"`
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"root_error"`
	SuspectDeploy *struct {
		Service string    `json:"service"`
		Version string    `json:"version"`
		Hosts   []string  `json:"hosts"`
		Time    time.Time `json:"time"`
	} `json:"suspect_deploy"`
	NotToBlame []struct {
		Service string `json:"service"`
		Version string `json:"version"`
	} `json:"not_to_blame"`
	ConfigKey      string `json:"config_key"`
	CrashedService string `json:"crashed_service"`
	Dependency     string `json:"dependency"`
	Affected       *struct {
		Hosts     []string `json:"hosts"`
		Versions  []string `json:"versions"`
		Endpoints []string `json:"endpoints"`
	} `json:"affected"`
	StoppedAfterRollback *struct {
		Rollback struct {
			Time time.Time `json:"time"`
		} `json:"rollback"`
	} `json:"stopped_after_rollback"`
}

type truthFile struct {
	ClockSkew struct {
		Service          string  `json:"service"`
		ConfiguredSecond float64 `json:"configured_seconds"`
	} `json:"clock_skew"`
	Deploys []struct {
		Service string    `json:"service"`
		Version string    `json:"version"`
		Hosts   []string  `json:"hosts"`
		Time    time.Time `json:"time"`
		History string    `json:"history"`
		Status  string    `json:"status"`
	} `json:"deploys"`
	Cases []truthCase `json:"cases"`
}

// TestIncident2 ingests the corpus once, through the real pipeline into a
// real index, then checks the ingest and culprit's `request` answer for each
// case of truth.json.
func TestIncident2(t *testing.T) {
	tf := loadTruth(t)
	deploys, err := filepath.Glob(filepath.Join(incident2, "deploys", "*"))
	if err != nil || len(deploys) == 0 {
		t.Fatalf("no deploy histories under %s/deploys: %v", incident2, err)
	}
	ix, err := index.Open(filepath.Join(t.TempDir(), "idx"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	sink, err := ingest.NewIndexSink(ix)
	if err != nil {
		t.Fatal(err)
	}
	sum, runErr := ingest.Run(t.Context(), ingest.Options{Paths: []string{filepath.Join(incident2, "logs")}, Deploys: deploys}, sink)
	if err := sink.Close(); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if sum.Events == 0 {
		t.Fatalf("ingest stored no events: %v", runErr)
	}
	inv := query.New(ix, query.Options{})

	// Every line is an event, every deploy history is read (helm history,
	// argocd app history, a CSV with a hosts column), and the deploys
	// stored are the ones the run performed.
	t.Run("ingest", func(t *testing.T) {
		if runErr != nil {
			t.Errorf("ingest: %v", runErr)
		}
		for _, s := range sum.Sources {
			b, err := os.ReadFile(s.Path)
			if err != nil {
				t.Fatal(err)
			}
			var nonEmpty int64
			for _, l := range strings.Split(string(b), "\n") {
				if strings.TrimSpace(l) != "" {
					nonEmpty++
				}
			}
			if s.Events != nonEmpty {
				t.Errorf("%s: %d events of %d non-empty lines", s.Path, s.Events, nonEmpty)
			}
		}
		got, err := inv.Deploys(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range tf.Deploys {
			if want.Status == "failed" {
				continue // a failed helm revision never ran; whether it is stored is the reader's choice
			}
			ok := slices.ContainsFunc(got, func(d query.Deploy) bool {
				return d.Service == want.Service && strings.TrimPrefix(d.Version, "v") == want.Version && absDur(d.Time.Sub(want.Time)) < 2*time.Second
			})
			if !ok {
				t.Errorf("deploy %s %s at %s (%s history) was not read", want.Service, want.Version, want.Time.Format(time.RFC3339), want.History)
			}
		}
	})

	for _, c := range tf.Cases {
		t.Run(c.Name, func(t *testing.T) {
			rep, err := inv.Request(t.Context(), c.PastedID)
			if err != nil {
				t.Fatalf("request %s: %v", c.PastedID, err)
			}
			raw, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var js map[string]any
			if err := json.Unmarshal(raw, &js); err != nil {
				t.Fatal(err)
			}
			if rep.Found != c.Found {
				t.Fatalf("found = %v, want %v", rep.Found, c.Found)
			}
			if !c.Found {
				return
			}
			checkIncident2Case(t, tf, c, rep, js)
		})
	}
}

func loadTruth(t *testing.T) truthFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(incident2, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tf truthFile
	if err := json.Unmarshal(b, &tf); err != nil {
		t.Fatalf("truth.json: %v", err)
	}
	if len(tf.Cases) == 0 {
		t.Fatal("truth.json has no cases")
	}
	return tf
}

func checkIncident2Case(t *testing.T, tf truthFile, c truthCase, rep *query.Report, js map[string]any) {
	text := verdictText(rep)
	t.Run("trace-join", func(t *testing.T) {
		for _, s := range c.Services {
			if !slices.Contains(rep.Services, s) {
				t.Errorf("services %v lack %s: the request's trace ids %v were not followed", rep.Services, s, c.TraceIDs)
			}
		}
		evs, _ := js["events"].([]any)
		for _, ev := range evs {
			if e, _ := ev.(map[string]any); e["linked_by"] == nil {
				t.Errorf("event %v of %v says not how it was linked to the pasted id (linked_by)", e["source"], e["service"])
				break
			}
		}
	})
	t.Run("root-error", func(t *testing.T) {
		if c.RootError == nil {
			if rep.Error != nil {
				t.Errorf("error = %s %s %q, want none (the request succeeded)", rep.Error.Service, rep.Error.Type, rep.Error.Message)
			}
			return
		}
		if rep.Error == nil {
			t.Fatalf("no root error, want %s %s", c.RootError.Service, c.RootError.Type)
		}
		short := c.RootError.Type[strings.LastIndex(c.RootError.Type, ".")+1:]
		msg := c.RootError.Message
		if len(msg) > 40 {
			msg = msg[:40]
		}
		if rep.Error.Service != c.RootError.Service ||
			!strings.Contains(rep.Error.Type, short) && !strings.Contains(rep.Error.Message, msg) {
			t.Errorf("root error = %s %q %q, want %s %s %q", rep.Error.Service, rep.Error.Type, rep.Error.Message,
				c.RootError.Service, c.RootError.Type, c.RootError.Message)
		}
	})
	t.Run("cause", func(t *testing.T) {
		got := ""
		if rep.Verdict != nil {
			got = rep.Verdict.Cause
		}
		want := ""
		if c.Cause != nil {
			want = *c.Cause
		}
		if got != want {
			t.Errorf("cause = %q, want %q (%s)", got, want, text)
		}
	})
	t.Run("suspect-deploy", func(t *testing.T) {
		if c.SuspectDeploy != nil {
			if rep.Deploy == nil || !rep.Deploy.Suspect || rep.Deploy.Service != c.SuspectDeploy.Service || rep.Deploy.Version != c.SuspectDeploy.Version {
				t.Errorf("suspect deploy = %s, want %s %s", deployString(rep.Deploy), c.SuspectDeploy.Service, c.SuspectDeploy.Version)
			}
			return
		}
		if rep.Deploy != nil && rep.Deploy.Suspect {
			t.Errorf("deploy %s is marked suspect; the truth blames no deploy (not %v)", deployString(rep.Deploy), c.NotToBlame)
		}
	})
	if c.ConfigKey != "" {
		t.Run("config-key", func(t *testing.T) {
			if !strings.Contains(text, c.ConfigKey) {
				t.Errorf("the verdict does not name the missing key %s: %s", c.ConfigKey, text)
			}
		})
	}
	if c.CrashedService != "" {
		t.Run("crashed-service", func(t *testing.T) {
			said := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(c.CrashedService) + `\b.*\b(crash(ed)?|died|panic(ked)?|exited)\b`)
			if !slices.ContainsFunc(verdictLines(rep), said.MatchString) {
				t.Errorf("no line of the verdict says %s crashed: %s", c.CrashedService, text)
			}
		})
	}
	if c.Dependency != "" {
		t.Run("dependency", func(t *testing.T) {
			if !strings.Contains(text, c.Dependency) {
				t.Errorf("the verdict does not name the dependency %s: %s", c.Dependency, text)
			}
		})
	}
	if c.Affected != nil && c.SuspectDeploy != nil && len(c.SuspectDeploy.Hosts) < len(serviceHosts(tf, c.SuspectDeploy.Service)) {
		t.Run("canary-outliers", func(t *testing.T) {
			want := map[string]string{"host": c.Affected.Hosts[0], "version": c.Affected.Versions[0]}
			for field, value := range want {
				found := rep.BlastRadius != nil && slices.ContainsFunc(rep.BlastRadius.Outliers, func(o query.Outlier) bool {
					return o.Field == field && o.Value == value
				})
				if !found {
					t.Errorf("blast radius outliers lack %s=%s: %+v", field, value, outliers(rep))
				}
			}
		})
	}
	if c.Affected != nil && len(c.Affected.Endpoints) > 0 {
		t.Run("blast-endpoints", func(t *testing.T) {
			var got []string
			if rep.BlastRadius != nil {
				for _, e := range rep.BlastRadius.Endpoints {
					got = append(got, e.Route)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.Affected.Endpoints))
			if !slices.Equal(got, want) {
				t.Errorf("blast radius endpoints = %v, want %v (the routes the gateway answered for the failing requests)", got, want)
			}
		})
	}
	if c.Dependency != "" {
		t.Run("dependency-latency", func(t *testing.T) {
			said := regexp.MustCompile(`\b` + regexp.QuoteMeta(c.Dependency) + `\b.*\bp(50|95)\b`)
			if !slices.ContainsFunc(verdictLines(rep), said.MatchString) {
				t.Errorf("no line of the verdict gives %s's latency (p50/p95) before and during: %s", c.Dependency, text)
			}
		})
	}
	if c.StoppedAfterRollback != nil {
		t.Run("rollback", func(t *testing.T) {
			at := c.StoppedAfterRollback.Rollback.Time.UTC().Format("15:04")
			said := regexp.MustCompile(`(?i)stopped\b.*\b(rollback|rolled back)\b.*` + regexp.QuoteMeta(at))
			if !slices.ContainsFunc(verdictLines(rep), said.MatchString) {
				t.Errorf("the verdict does not say the errors stopped after the rollback at %s: %s",
					c.StoppedAfterRollback.Rollback.Time.Format(time.RFC3339), text)
			}
		})
	}
	if slices.Contains(c.Services, tf.ClockSkew.Service) && c.RootError != nil && c.RootError.Service == tf.ClockSkew.Service {
		t.Run("clock-skew", func(t *testing.T) {
			re := regexp.MustCompile(regexp.QuoteMeta(tf.ClockSkew.Service) + `.*\b1\.[3-7] ?s\b.*behind`)
			if !re.MatchString(text) {
				t.Errorf("the evidence does not say %s's clock runs %.1f s behind: %s", tf.ClockSkew.Service, -tf.ClockSkew.ConfiguredSecond, text)
			}
		})
	}
}

// verdictLines are the verdict's summary, evidence and next steps.
func verdictLines(rep *query.Report) []string {
	if rep.Verdict == nil {
		return nil
	}
	return append(append([]string{rep.Verdict.Summary}, rep.Verdict.Evidence...), rep.Verdict.NextSteps...)
}

// verdictText is the verdict's lines as one text.
func verdictText(rep *query.Report) string {
	if rep.Verdict == nil {
		return "(no verdict)"
	}
	return strings.Join(verdictLines(rep), " | ")
}

// serviceHosts is every host the run deployed service to.
func serviceHosts(tf truthFile, service string) []string {
	var hosts []string
	for _, d := range tf.Deploys {
		for _, h := range d.Hosts {
			if d.Service == service && !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

func deployString(d *query.DeployRef) string {
	if d == nil {
		return "none"
	}
	return fmt.Sprintf("%s %s at %s (suspect %v)", d.Service, d.Version, d.Time.Format(time.RFC3339), d.Suspect)
}

func outliers(rep *query.Report) []query.Outlier {
	if rep.BlastRadius == nil {
		return nil
	}
	return rep.BlastRadius.Outliers
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
