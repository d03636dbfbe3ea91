package query

import "github.com/culprit-dev/culprit/index"

// The real index is a Store, and computes several facets in one pass.
var (
	_ Store        = (*index.Index)(nil)
	_ MultiFaceter = (*index.Index)(nil)
)
