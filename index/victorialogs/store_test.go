package victorialogs_test

import (
	"testing"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/storetest"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
)

// openStore connects to a server started by the test.
func openStore(t *testing.T, srv *vltest.Server) *victorialogs.Store {
	t.Helper()
	s, err := victorialogs.Open(t.Context(), "victorialogs://"+srv.Addr)
	if err != nil {
		t.Fatalf("%v\nserver log:\n%s", err, srv.Log())
	}
	return s
}

// load writes events through a Sink (a commit every five events, so a
// source spans several commits) and the deploys as one history.
func load(t *testing.T, s *victorialogs.Store, evs []model.Event, ds []model.Deploy) {
	t.Helper()
	k, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for i := range evs {
		if err := k.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if i%5 == 4 {
			if err := k.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := k.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := k.AddDeploys(ds); err != nil {
		t.Fatal(err)
	}
}

// The store keeps the contract on a single node.
func TestStoreSingleNode(t *testing.T) {
	srv := vltest.Start(t)
	storetest.TestStore(t, func(t *testing.T, evs []model.Event, ds []model.Deploy) storetest.Store {
		s := openStore(t, srv)
		load(t, s, evs, ds)
		return s
	})
}

// The store keeps the contract on a cluster: a frontend spreading rows
// over two storage nodes.
func TestStoreCluster(t *testing.T) {
	c := vltest.StartCluster(t, 2)
	storetest.TestStore(t, func(t *testing.T, evs []model.Event, ds []model.Deploy) storetest.Store {
		s := openStore(t, c.Frontend)
		load(t, s, evs, ds)
		return s
	})
}
