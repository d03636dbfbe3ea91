package victorialogs_test

import (
	"testing"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/storetest"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
)

// Credentials from the URL or the environment reach a server that
// requires basic auth, and the tenant of the URL keeps rows apart from the
// default tenant's.
func TestAuthAndTenant(t *testing.T) {
	srv := vltest.Start(t, "-httpAuth.username=culprit", "-httpAuth.password=s3cret")
	t.Setenv(victorialogs.EnvUser, "")
	t.Setenv(victorialogs.EnvPassword, "")
	if _, err := victorialogs.Open(t.Context(), "victorialogs://"+srv.Addr); err == nil {
		t.Fatal("Open without credentials succeeded on a server that requires them")
	}
	tenant, err := victorialogs.Open(t.Context(), "victorialogs://culprit:s3cret@"+srv.Addr+"?AccountID=7&ProjectID=3")
	if err != nil {
		t.Fatal(err)
	}
	evs, ds := storetest.Corpus()
	load(t, tenant, evs, ds)

	t.Setenv(victorialogs.EnvUser, "culprit")
	t.Setenv(victorialogs.EnvPassword, "s3cret")
	def, err := victorialogs.Open(t.Context(), "victorialogs://"+srv.Addr)
	if err != nil {
		t.Fatalf("Open with credentials from the environment: %v", err)
	}
	for _, c := range []struct {
		name string
		s    *victorialogs.Store
		want int
	}{{"tenant 7:3", tenant, len(evs)}, {"default tenant", def, 0}} {
		res, err := c.s.Find(t.Context(), model.Filter{}, model.FindOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != c.want {
			t.Errorf("%s holds %d events, want %d", c.name, res.Total, c.want)
		}
	}
}
