package ingest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// githubDeployments is the shape of GET /repos/{owner}/{repo}/deployments
// (from the GitHub REST API documentation's example response).
const githubDeployments = `[
  {
    "url": "https://api.github.com/repos/octocat/example/deployments/1",
    "id": 1,
    "node_id": "MDEwOkRlcGxveW1lbnQx",
    "sha": "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
    "ref": "topic-branch",
    "task": "deploy",
    "payload": {},
    "original_environment": "staging",
    "environment": "production",
    "description": "Deploy request from hubot",
    "creator": {
      "login": "octocat",
      "id": 1,
      "avatar_url": "https://github.com/images/error/octocat_happy.gif",
      "type": "User",
      "site_admin": false
    },
    "created_at": "2012-07-20T01:19:13Z",
    "updated_at": "2012-07-20T01:19:13Z",
    "statuses_url": "https://api.github.com/repos/octocat/example/deployments/1/statuses",
    "repository_url": "https://api.github.com/repos/octocat/example",
    "transient_environment": false,
    "production_environment": true
  },
  {
    "id": 2,
    "sha": "b1c2",
    "ref": "v2.4.1",
    "payload": {"service": "orders"},
    "environment": "production",
    "creator": {"login": "alice"},
    "created_at": "2012-07-21T08:00:00Z",
    "repository_url": "https://api.github.com/repos/octocat/monorepo"
  }
]`

func TestReadDeploys(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		name string
		in   string
		want []index.Deploy
	}{
		{"empty", "  \n", nil},
		{
			"json lines, flexible keys",
			`{"deployed_at":"2026-11-25T09:00:00Z","service":"orders","version":"v1.2.3","commit":"abc","author":"bob","env":"prod"}` + "\n\n" +
				`{"Timestamp":"2026-11-25 09:30:00","App":"api","Tag":"v9","SHA":"def","user":{"name":"Carol"},"Environment":"staging"}` + "\n",
			[]index.Deploy{
				{Time: at("2026-11-25T09:00:00Z"), Service: "orders", Version: "v1.2.3", Commit: "abc", Author: "bob", Environment: "prod", Line: 1},
				{Time: at("2026-11-25T09:30:00Z"), Service: "api", Version: "v9", Commit: "def", Author: "Carol", Environment: "staging", Line: 3},
			},
		},
		{
			"json array with epoch times",
			"[\n {\"time\": 1764061200, \"application\": \"web\", \"release\": \"42\"},\n {\"ts\": 1764061260000, \"component\": \"db\"}\n]",
			[]index.Deploy{
				{Time: time.Unix(1764061200, 0).UTC(), Service: "web", Version: "42", Line: 2},
				{Time: time.Unix(1764061260, 0).UTC(), Service: "db", Line: 3},
			},
		},
		{
			"github list deployments response",
			githubDeployments,
			[]index.Deploy{
				{Time: at("2012-07-20T01:19:13Z"), Service: "example", Version: "topic-branch", Commit: "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d", Author: "octocat", Environment: "production", Line: 2},
				{Time: at("2012-07-21T08:00:00Z"), Service: "orders", Version: "v2.4.1", Commit: "b1c2", Author: "alice", Environment: "production", Line: 27},
			},
		},
		{
			"object holding an array",
			`{"deployments": [{"date": "2026-11-25T10:00:00+01:00", "repository": "octo/payments", "revision": "r1"}], "total": 1}`,
			[]index.Deploy{{Time: at("2026-11-25T09:00:00Z"), Service: "payments", Commit: "r1", Line: 1}},
		},
		{
			"one pretty-printed object",
			"{\n  \"time\": \"2026-11-25T10:00:00Z\",\n  \"service\": \"api\"\n}\n",
			[]index.Deploy{{Time: at("2026-11-25T10:00:00Z"), Service: "api", Line: 1}},
		},
		{
			"csv",
			"deployed_at,service,version,commit,author,environment\n" +
				"2026-11-25T09:00:00Z,orders,v1,abc,bob,prod\n" +
				"\n" +
				"\"2026-11-25T10:00:00Z\", \"api\",v2,def,\"Carol, Jr\",staging\n",
			[]index.Deploy{
				{Time: at("2026-11-25T09:00:00Z"), Service: "orders", Version: "v1", Commit: "abc", Author: "bob", Environment: "prod", Line: 2},
				{Time: at("2026-11-25T10:00:00Z"), Service: "api", Version: "v2", Commit: "def", Author: "Carol, Jr", Environment: "staging", Line: 4},
			},
		},
		{
			"tab separated with a BOM",
			"\xef\xbb\xbfTime\tApp\tRef\n2026-11-25T09:00:00Z\tweb\tmain\n",
			[]index.Deploy{{Time: at("2026-11-25T09:00:00Z"), Service: "web", Version: "main", Line: 2}},
		},
		{
			"semicolons, repository column",
			"created_at;repository;sha\n2026-11-25T09:00:00Z;acme/cart;123\n",
			[]index.Deploy{{Time: at("2026-11-25T09:00:00Z"), Service: "cart", Commit: "123", Line: 2}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadDeploys("deploys", strings.NewReader(c.in))
			if err != nil {
				t.Fatalf("ReadDeploys: %v", err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d deploys %+v, want %d", len(got), got, len(c.want))
			}
			for i := range got {
				w := c.want[i]
				w.Source = "deploys"
				if !got[i].Time.Equal(w.Time) {
					t.Errorf("deploy %d time = %v, want %v", i, got[i].Time, w.Time)
				}
				got[i].Time = w.Time
				if got[i] != w {
					t.Errorf("deploy %d = %+v\nwant %+v", i, got[i], w)
				}
			}
		})
	}
}

func TestReadDeploysErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"json line without time", `{"time":"2026-11-25T09:00:00Z","service":"a"}` + "\n" + `{"service":"b"}`, "d.json:2: no time"},
		{"json line with a bad time", "\n\n" + `{"time":"yesterday-ish","service":"b"}`, `d.json:3: unparsable time "yesterday-ish"`},
		{"invalid json line", `{"time":"2026-11-25T09:00:00Z"}` + "\n" + `{"time":`, "d.json:2: invalid JSON"},
		{"json line not an object", `{"time":"2026-11-25T09:00:00Z"}` + "\n" + `[1,2]`, "d.json:2: not a JSON object"},
		{"array element without time", "[\n  {\"time\":\"2026-11-25T09:00:00Z\"},\n  {\"service\":\"x\"}\n]", "d.json:3: no time"},
		{"array syntax error", "[\n  {\"time\":\"2026-11-25T09:00:00Z\"},\n  {\"service\" \"x\"}\n]", "d.json:3: invalid JSON"},
		{"unterminated array", "[\n {\"time\":\"2026-11-25T09:00:00Z\"},\n", "d.json:3: invalid JSON"},
		{"csv without a time column", "service,version\na,1\n", "d.json:1: not a deploy history"},
		{"csv row without time", "time,service\n2026-11-25T09:00:00Z,a\n,b\n", "d.json:3: no time"},
		{"csv bad quote", "time,service\n2026-11-25T09:00:00Z,\"a\"b\"\n", "d.json:2: "},
		{"plain text", "deployed v1 yesterday\n", "d.json:1: not a deploy history"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := ReadDeploys("d.json", strings.NewReader(c.in))
			if err == nil {
				if c.name == "csv bad quote" { // LazyQuotes accepts it
					return
				}
				t.Fatalf("ReadDeploys = %+v, want error %q", ds, c.want)
			}
			if ds != nil {
				t.Errorf("ReadDeploys returned %d deploys with its error: a rejected file adds nothing", len(ds))
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("err = %q, want prefix %q", err, c.want)
			}
			var le *LineError
			if !errors.As(err, &le) || le.File != "d.json" {
				t.Errorf("err %v is not a *LineError naming the file", err)
			}
		})
	}
}

func FuzzReadDeploys(f *testing.F) {
	f.Add([]byte(githubDeployments))
	f.Add([]byte(`{"time":"2026-11-25T09:00:00Z","service":"a"}` + "\n" + `{"ts":1764061200}`))
	f.Add([]byte("time,service\n2026-11-25T09:00:00Z,a\n"))
	f.Add([]byte(`{"deployments":[{"date":"2026-11-25"}]}`))
	f.Add([]byte("[\n{\"created_at\":\"2026-11-25T09:00:00Z\",\"creator\":{\"login\":\"x\"}}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ReadDeploys("f", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Fatalf("error does not name the file: %v", err)
			}
			if ds != nil {
				t.Fatalf("deploys returned with an error")
			}
			return
		}
		lines := int64(bytes.Count(data, []byte{'\n'})) + 1
		for _, d := range ds {
			if d.Time.IsZero() || d.Source != "f" || d.Line < 1 || d.Line > lines {
				t.Fatalf("bad deploy %+v (input has %d lines)", d, lines)
			}
		}
	})
}
