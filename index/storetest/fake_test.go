package storetest

import (
	"testing"

	"github.com/culprit-dev/culprit/index/model"
)

// The shared fake keeps the contract it stands in for.
func TestFake(t *testing.T) {
	TestStore(t, func(t *testing.T, evs []model.Event, ds []model.Deploy) Store { return NewFake(evs, ds) })
}
