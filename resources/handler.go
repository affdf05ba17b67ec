package resources

import (
	"context"

	"github.com/understudy-ha/understudy/config"
)

// Handler carries out one kind of resource. Every method must be safe to
// call in any state: Start of a running resource adopts it, Stop of a
// stopped one succeeds. ctx carries the per-call timeout; a Handler
// returns soon after it ends.
type Handler interface {
	// Start makes r run; adopted reports that it already ran and was
	// left alone.
	Start(ctx context.Context, r config.Resource) (adopted bool, err error)
	// Stop makes r stop; already stopped is success.
	Stop(ctx context.Context, r config.Resource) error
	// Status reports whether r runs; err only when it cannot tell.
	Status(ctx context.Context, r config.Resource) (running bool, err error)
}
