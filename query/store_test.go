package query

import (
	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/storetest"
)

var (
	// The real index is a Store, and computes several facets in one pass.
	_ Store        = (*index.Index)(nil)
	_ MultiFaceter = (*index.Index)(nil)
	// Store is the contract storetest.TestStore checks: the same methods.
	_ Store           = storetest.Store(nil)
	_ storetest.Store = Store(nil)
	_ MultiFaceter    = storetest.MultiFaceter(nil)
	_ Store           = (*storetest.Fake)(nil)
	_ storetest.Store = (*countingStore)(nil)
)
