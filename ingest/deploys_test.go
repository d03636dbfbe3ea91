package ingest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
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
				{Time: at("2012-07-20T01:19:13Z"), Service: "example", Version: "topic-branch", Commit: "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d", Author: "octocat", Environment: "production", Description: "Deploy request from hubot", Line: 2},
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

// helmHistory is `helm history checkout -o json` (helm 3): updated is Go's
// time.Time JSON in the cluster's zone; chart is NAME-CHARTVERSION; the
// release name is not in it.
const helmHistory = `[{"revision":1,"updated":"2026-12-04T21:55:06.34828+01:00","status":"superseded","chart":"checkout-1.4.0","app_version":"5.1.0","description":"Install complete"},` +
	`{"revision":2,"updated":"2026-12-04T21:56:16.98899+01:00","status":"deployed","chart":"checkout-1.5.0","app_version":"5.2.0","description":"Upgrade complete"},` +
	`{"revision":3,"updated":"2026-12-04T21:58:36.008291+01:00","status":"failed","chart":"checkout-1.6.0","app_version":"5.3.0","description":"Upgrade \"checkout\" failed: timed out waiting for the condition"}]`

// argoHistory is `argocd app history gateway -o json`: Argo CD's
// RevisionHistory list, which names neither the application nor a status.
const argoHistory = `[
  {
    "deployStartedAt": "2026-12-04T20:55:04Z",
    "deployedAt": "2026-12-04T20:55:06Z",
    "id": 0,
    "initiatedBy": {"username": "lena.dubois"},
    "revision": "009fb28a368d1eafac7ac619da2d97008835d7bf",
    "source": {"path": "apps/gateway/overlays/production", "repoURL": "https://git.example.com/platform/gitops.git", "targetRevision": "v1.12.0"}
  },
  {
    "deployStartedAt": "2026-12-04T20:57:35Z",
    "deployedAt": "2026-12-04T20:57:37Z",
    "id": 1,
    "initiatedBy": {"automated": true},
    "revision": "b6aa9be1e8310e444c5a4e836556d08b81882872",
    "source": {"path": "apps/gateway/overlays/production", "repoURL": "https://git.example.com/platform/gitops.git", "targetRevision": "HEAD"}
  }
]`

// gitlabDeployments is GET /projects/:id/deployments (GitLab REST API v4,
// the documentation's example response, cut down): the project is not
// named, the deployment is live when its job finished.
const gitlabDeployments = `[
  {
    "created_at": "2016-08-11T07:36:40.222Z",
    "updated_at": "2016-08-11T07:38:12.414Z",
    "status": "success",
    "deployable": {
      "commit": {"author_email": "admin@example.com", "author_name": "Administrator", "id": "99d03678b90d914dbb1b109132516d71a4a03ea8", "short_id": "99d03678", "title": "Merge branch 'new-title' into 'main'"},
      "coverage": null,
      "created_at": "2016-08-11T07:36:27.357Z",
      "finished_at": "2016-08-11T07:36:39.851Z",
      "id": 657,
      "name": "deploy",
      "ref": "main",
      "stage": "deploy",
      "started_at": null,
      "status": "success",
      "tag": false,
      "user": {"id": 1, "name": "Administrator", "username": "root", "state": "active"}
    },
    "environment": {"external_url": "https://about.gitlab.com", "id": 9, "name": "production"},
    "id": 41,
    "iid": 1,
    "ref": "main",
    "sha": "99d03678b90d914dbb1b109132516d71a4a03ea8",
    "user": {"id": 1, "name": "Administrator", "username": "root", "state": "active"}
  },
  {
    "created_at": "2016-08-11T11:32:35.444Z",
    "updated_at": "2016-08-11T11:34:01.123Z",
    "status": "failed",
    "deployable": {"finished_at": null, "id": 664, "ref": "v1.3.0", "status": "failed", "tag": true},
    "environment": {"id": 9, "name": "production"},
    "id": 42,
    "iid": 2,
    "ref": "v1.3.0",
    "sha": "a91957a858320c0e17f3a0eca7cfacbff50ea29a",
    "user": {"id": 1, "name": "Administrator", "username": "root"}
  }
]`

func TestReadDeployFormats(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		name, file, service, in string
		want                    []index.Deploy
	}{
		{"helm history: service from the chart, zoned times, failed marked", "helm-history.json", "", helmHistory, []index.Deploy{
			{Time: at("2026-12-04T20:55:06.34828Z"), Service: "checkout", Version: "5.1.0", Status: "superseded", Description: "Install complete", Line: 1},
			{Time: at("2026-12-04T20:56:16.98899Z"), Service: "checkout", Version: "5.2.0", Status: "deployed", Description: "Upgrade complete", Line: 1},
			{Time: at("2026-12-04T20:58:36.008291Z"), Service: "checkout", Version: "5.3.0", Status: "failed",
				Description: `Upgrade "checkout" failed: timed out waiting for the condition`, Line: 1},
		}},
		{"argo cd history: service from the file name, version from the target revision", "argocd-gateway.json", "", argoHistory, []index.Deploy{
			{Time: at("2026-12-04T20:55:06Z"), Service: "gateway", Version: "1.12.0", Commit: "009fb28a368d1eafac7ac619da2d97008835d7bf", Author: "lena.dubois", Line: 2},
			{Time: at("2026-12-04T20:57:37Z"), Service: "gateway", Version: "b6aa9be1e831", Commit: "b6aa9be1e8310e444c5a4e836556d08b81882872", Author: "automated", Line: 10},
		}},
		{"gitlab deployments: service given, time the job finished", "deployments.json", "shop", gitlabDeployments, []index.Deploy{
			{Time: at("2016-08-11T07:36:39.851Z"), Service: "shop", Version: "main", Commit: "99d03678b90d914dbb1b109132516d71a4a03ea8", Author: "Administrator",
				Environment: "production", Status: "success", Line: 2},
			{Time: at("2016-08-11T11:34:01.123Z"), Service: "shop", Version: "v1.3.0", Commit: "a91957a858320c0e17f3a0eca7cfacbff50ea29a", Author: "Administrator",
				Environment: "production", Status: "failed", Line: 27},
		}},
		{"csv with a hosts column: a canary", "payments-rollouts.csv", "",
			"deployed_at,service,version,hosts,commit,author,note\n" +
				"2026-12-04T20:55:02.837382Z,payments,3.3.2,\"payments-0,payments-1\",d1265cd,jonas,release 3.3.2\n" +
				"2026-12-04T20:55:38.184857Z,payments,3.4.0,payments-1,684a58d,jonas,canary 3.4.0\n",
			[]index.Deploy{
				{Time: at("2026-12-04T20:55:02.837382Z"), Service: "payments", Version: "3.3.2", Hosts: "payments-0,payments-1", Commit: "d1265cd", Author: "jonas", Description: "release 3.3.2", Line: 2},
				{Time: at("2026-12-04T20:55:38.184857Z"), Service: "payments", Version: "3.4.0", Hosts: "payments-1", Commit: "684a58d", Author: "jonas", Description: "canary 3.4.0", Line: 3},
			}},
		{"json lines with an instances array", "deploys.jsonl", "",
			`{"time":"2026-12-04T20:55:38Z","service":"payments","version":"3.4.0","instances":["payments-1"]}` + "\n",
			[]index.Deploy{{Time: at("2026-12-04T20:55:38Z"), Service: "payments", Version: "3.4.0", Hosts: "payments-1", Line: 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := c.service
			if svc == "" {
				svc = ServiceFromFileName(c.file)
			}
			got, err := ReadDeploysOf(c.file, strings.NewReader(c.in), svc)
			if err != nil {
				t.Fatalf("ReadDeploysOf: %v", err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d deploys %+v, want %d", len(got), got, len(c.want))
			}
			for i := range got {
				w := c.want[i]
				w.Source = c.file
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

func TestServiceFromFileName(t *testing.T) {
	for in, want := range map[string]string{
		"helm-checkout.json": "checkout", "deploys/argocd-gateway.json": "gateway", "checkout-history.json": "checkout",
		"payments_deploys.csv": "payments", "deploys.json": "", "history.jsonl.gz": "", "-": "", "inventory.helm.json": "inventory",
	} {
		if got := ServiceFromFileName(in); got != want {
			t.Errorf("ServiceFromFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeployArg(t *testing.T) {
	dir := t.TempDir()
	odd := filepath.Join(dir, "a=b.json")
	if err := os.WriteFile(odd, []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ arg, name, service string }{
		{"checkout=helm.json", "helm.json", "checkout"},
		{"helm-inventory.json", "helm-inventory.json", "inventory"},
		{"deploys.csv", "deploys.csv", ""},
		{odd, odd, "a=b"}, // an existing file whose name holds =: a file, not SERVICE=FILE
		{"./x=y/deploys.json", "./x=y/deploys.json", ""},
	}
	for _, c := range cases {
		if name, svc := deployArg(c.arg); name != c.name || svc != c.service {
			t.Errorf("deployArg(%q) = %q, %q, want %q, %q", c.arg, name, svc, c.name, c.service)
		}
	}
}
