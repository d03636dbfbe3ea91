package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/remote"
)

// damagedStore fails Find as a damaged index does.
type damagedStore struct{ remote.Store }

func (damagedStore) Find(context.Context, model.Filter, model.FindOptions) (model.Result, error) {
	return model.Result{}, &index.CorruptError{Dir: "/idx", File: "blocks.pack", Err: errors.New("block 3: checksum mismatch")}
}

// Damage reported by a follower over its socket is printed as a local
// index's damage is: the index's own report, without the context the
// command added (a request the user may not have named).
func TestMessageOfRemoteDamage(t *testing.T) {
	dir := t.TempDir()
	srv, err := remote.Listen(dir, damagedStore{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := remote.Dial(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, ferr := c.Find(t.Context(), model.Filter{}, model.FindOptions{})
	local := &index.CorruptError{Dir: "/idx", File: "blocks.pack", Err: errors.New("block 3: checksum mismatch")}
	for _, err := range []error{local, ferr} {
		got := message(fmt.Errorf("request 0274ab: root error: %w", err))
		if got != local.Error() {
			t.Errorf("message = %q\nwant      %q", got, local.Error())
		}
	}
	if got := message(fmt.Errorf("request 0274ab: %w", errors.New("no such request"))); got != "request 0274ab: no such request" {
		t.Errorf("an error that is not damage lost its context: %q", got)
	}
}
