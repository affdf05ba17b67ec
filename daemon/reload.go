package daemon

import (
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/preflight"
	"github.com/understudy-ha/understudy/transport"
)

// reload re-reads the configuration directory. An invalid configuration
// changes nothing: every problem is logged with its file and line and
// returned. A valid one is applied as a difference (cluster.Reconfigure)
// and summed up in one log line. The hooks hear the outcome of every
// reload that changed something or was refused.
func (d *daemon) reload(why string) (cluster.Event, error) {
	ev, err := d.reloadConfig(why)
	if err != nil || ev != nil {
		d.notifyReload(err)
	}
	d.reloaded(err)
	return ev, err
}

func (d *daemon) reloadConfig(why string) (cluster.Event, error) {
	cfg, diags := config.Load(d.o.Dir)
	if diags.HasErrors() {
		err := diags.Err()
		d.logRefusal(why, err, func() {
			for _, dg := range diags.Filter(config.Error) {
				d.log.Error("reload refused, still running the old configuration", "problem", dg.String(), "trigger", why)
			}
		})
		return nil, err
	}
	// The start-up checks of the machine (this node still a node of
	// ha.cf among them); the addresses of the groups running now are this
	// node's to keep.
	if pre := preflight.Run(cfg, preflight.Options{Node: d.self, Machine: d.machine, Running: d.cfg}); pre.Err() != nil {
		err := pre.Err()
		d.logRefusal(why, err, func() {
			for _, dg := range pre.Diagnostics.Filter(config.Error) {
				d.log.Error("reload refused, still running the old configuration", "problem", dg.String(), "trigger", why)
			}
		})
		return nil, err
	}
	d.refused = ""
	for _, dg := range diags.Filter(config.Warning) {
		d.log.Warn("configuration", "problem", dg.String())
	}
	changes := describeChanges(d.cfg, cfg)
	if len(changes) == 0 {
		d.log.Info("configuration reloaded: nothing changed", "trigger", why)
		return nil, nil
	}
	old := d.cfg
	d.cfg = cfg
	if d.o.Logging != nil {
		d.o.Logging(cfg)
	}
	d.ops.setConfig(cfg)
	d.mons.configure(cfg, d.self)
	d.mons.stale = true
	d.sess.Reconfigure(sessionConfig(cfg))
	if !sameMedia(old.Media, cfg.Media) {
		d.reopenLinks()
	}
	if !sameSections(old.Hooks, cfg.Hooks, hookLine) {
		d.setHooks(cfg)
	}
	d.log.Info("configuration reloaded: "+strings.Join(changes, "; "), "trigger", why)
	return cluster.Reconfigure{Now: time.Now(), Config: cluster.FromConfig(cfg, d.self)}, nil
}

// logRefusal logs a refused reload's problems with log, unless they are
// exactly those of the reload refused just before (an edit seen by the
// file watcher, then the operator's understudy reload): then one line
// says so.
func (d *daemon) logRefusal(why string, err error, log func()) {
	if err.Error() == d.refused {
		d.log.Warn("reload refused again for the same problems, still running the old configuration", "trigger", why)
		return
	}
	d.refused = err.Error()
	log()
}

// reopenLinks replaces every link with the media of the new
// configuration. Heartbeats pause for the moment it takes.
func (d *daemon) reopenLinks() {
	d.links.Close()
	links, err := d.openLinks(d.cfg.Media)
	if err != nil {
		d.log.Error("some heartbeat links did not open", "err", err)
	}
	if links == nil {
		links = transport.NewFanout()
	}
	d.links = links
	clear(d.linkUp)
}

func sameMedia(a, b []config.Medium) bool {
	strip := func(ms []config.Medium) []config.Medium {
		out := slices.Clone(ms)
		for i := range out {
			out[i].Line = 0
		}
		return out
	}
	return reflect.DeepEqual(strip(a), strip(b))
}

// describeChanges lists what a reload changes, for the summary line.
func describeChanges(old, cfg *config.Config) []string {
	var out []string
	diff := func(what string, a, b []string) {
		if add := missing(b, a); len(add) > 0 {
			out = append(out, fmt.Sprintf("%s added: %s", what, strings.Join(add, " ")))
		}
		if del := missing(a, b); len(del) > 0 {
			out = append(out, fmt.Sprintf("%s removed: %s", what, strings.Join(del, " ")))
		}
	}
	diff("nodes", old.Nodes, cfg.Nodes)
	var oldKeys, newKeys, changed []string
	for _, g := range old.Groups {
		oldKeys = append(oldKeys, g.Key)
	}
	for _, g := range cfg.Groups {
		newKeys = append(newKeys, g.Key)
		if og, ok := old.Group(g.Key); ok && !reflect.DeepEqual(stripLine(og), stripLine(g)) {
			changed = append(changed, g.Key)
		}
	}
	diff("groups", oldKeys, newKeys)
	if len(changed) > 0 {
		out = append(out, "groups changed: "+strings.Join(changed, " "))
	}
	for _, t := range []struct {
		name string
		a, b time.Duration
	}{{"keepalive", old.Keepalive, cfg.Keepalive}, {"warntime", old.Warntime, cfg.Warntime},
		{"deadtime", old.Deadtime, cfg.Deadtime}, {"initdead", old.Initdead, cfg.Initdead}} {
		if t.a != t.b {
			out = append(out, fmt.Sprintf("%s %s -> %s", t.name, t.a, t.b))
		}
	}
	if old.AutoFailback != cfg.AutoFailback {
		out = append(out, fmt.Sprintf("auto_failback %s -> %s", old.AutoFailback, cfg.AutoFailback))
	}
	if !sameMedia(old.Media, cfg.Media) {
		out = append(out, "heartbeat media changed (links reopened)")
	}
	if !reflect.DeepEqual(old.Auth, cfg.Auth) {
		out = append(out, fmt.Sprintf("authkeys changed (signing with key %d)", cfg.Auth.Active))
	}
	logDirectives := func(c *config.Config) [6]any {
		return [6]any{c.Logfile, c.Debugfile, c.LogFacility, c.UseLogd, c.Debug, c.SyslogMsgFmt}
	}
	if logDirectives(old) != logDirectives(cfg) {
		out = append(out, "logging directives changed")
	}
	if !slices.Equal(old.Env, cfg.Env) {
		out = append(out, "env directives changed (resource scripts get them from their next call)")
	}
	if !sameSections(old.Monitors, cfg.Monitors, monitorLine) {
		out = append(out, "monitors changed")
	}
	if !sameSections(old.Hooks, cfg.Hooks, hookLine) {
		out = append(out, "hooks changed")
	}
	if !reflect.DeepEqual(old.Settings, cfg.Settings) {
		out = append(out, "understudy.toml changed (resource timeout and announcements apply to the next start of the daemon)")
	}
	return out
}

func stripLine(g config.Group) config.Group { g.Line = 0; return g }

// sameSections reports whether two lists of understudy.toml sections are
// the same apart from their lines: moving a section in its file changes
// nothing.
func sameSections[T any](a, b []T, line func(*T) *int) bool {
	strip := func(xs []T) []T {
		out := slices.Clone(xs)
		for i := range out {
			*line(&out[i]) = 0
		}
		return out
	}
	return reflect.DeepEqual(strip(a), strip(b))
}

func monitorLine(m *config.Monitor) *int { return &m.Line }
func hookLine(h *config.Hook) *int       { return &h.Line }

// missing lists the elements of a not in b.
func missing(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// watchConfig reports changes to the configuration files, debounced:
// editors save by writing a temporary file and renaming it, and one save
// makes several events (DEPENDENCIES §6). It watches the directory, not
// the files, so that renamed-over files are still seen.
func watchConfig(dir string, debounce time.Duration, changed chan<- string, stop <-chan struct{}) (func(), error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	names := map[string]bool{config.HACFFile: true, config.HaresourcesFile: true, config.AuthkeysFile: true, config.SettingsFile: true}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var timer <-chan time.Time
		touched := map[string]bool{}
		for {
			select {
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if names[filepath.Base(ev.Name)] {
					touched[filepath.Base(ev.Name)] = true
					timer = time.After(debounce)
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				_ = err // drained; a lost event is made up for by the next one
			case <-timer:
				timer = nil
				files := slices.Sorted(maps.Keys(touched))
				clear(touched)
				select {
				case changed <- "changed: " + strings.Join(files, ", "):
				case <-stop:
					return
				}
			case <-stop:
				return
			}
		}
	}()
	return func() { w.Close(); <-done }, nil // the caller closes stop first
}
