// Package hooks runs the [[hook]] programs of understudy.toml
// (config.Hook) when something happens in the cluster, so that people
// hear of it: a mail, a page, a chat message.
//
// The daemon calls Runner.Notify with an Event; Notify never waits. Each
// hook has its own queue (64 events by default) and runs its program
// once per event it wants, one run at a time and in order, so a slow
// hook delays only itself, never a failover. When a queue is full the
// oldest event is dropped and counted (Runner.Dropped) and logged.
//
// A run gets the event twice: in UNDERSTUDY_* environment variables
// (Event.Environ) added to the daemon's own environment, and as one JSON
// line on its standard input. It runs in a process group of its own,
// killed at the hook's timeout. A run that fails is logged, with the
// last line it wrote, through the *slog.Logger given; nothing else
// happens.
//
// It imports config (types only) and internal/proc; only the daemon
// should import it.
package hooks
