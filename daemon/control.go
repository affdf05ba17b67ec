package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/cluster"
	"github.com/understudy-ha/understudy/control"
)

// controlServer serves the control socket; requests reach the loop on a
// channel, because only the loop touches the state machine.
type controlServer struct {
	ln     net.Listener
	cancel context.CancelFunc
	done   chan struct{}
}

type ctlReq struct {
	status bool
	reload chan error
	cmd    cluster.AdminCmd
	set    cluster.Set
	// group, node and on are the arguments of move, clear and
	// maintenance.
	group, node string
	on          bool
	reply       chan control.Status
	// answers receives the cluster's answers to cmd: the first at once,
	// and a final one later if the first was "accepted".
	answers chan control.Answer
}

func listenControl(runDir string, log *slog.Logger, b control.Backend) (*controlServer, error) {
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, fmt.Errorf("run directory: %w", err)
	}
	ln, err := control.Listen(filepath.Join(runDir, control.SocketName))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &controlServer{ln: ln, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		control.Serve(ctx, ln, b, log) // the server adds component=control
	}()
	return s, nil
}

func (s *controlServer) close() {
	if s == nil {
		return
	}
	s.cancel()
	s.ln.Close()
	<-s.done
}

// backend is control.Backend over the request channel.
type backend struct{ requests chan<- ctlReq }

func (b backend) Status(ctx context.Context) (control.Status, error) {
	r := ctlReq{status: true, reply: make(chan control.Status, 1)}
	if err := b.ask(ctx, r); err != nil {
		return control.Status{}, err
	}
	select {
	case st := <-r.reply:
		return st, nil
	case <-ctx.Done():
		return control.Status{}, ctx.Err()
	}
}

func (b backend) Admin(ctx context.Context, c control.Command) (<-chan control.Answer, error) {
	r := ctlReq{cmd: c.Cmd, set: c.Set, group: c.Group, node: c.Node, on: c.On, answers: make(chan control.Answer, 2)}
	if err := b.ask(ctx, r); err != nil {
		return nil, err
	}
	return r.answers, nil
}

func (b backend) Reload(ctx context.Context) error {
	r := ctlReq{reload: make(chan error, 1)}
	if err := b.ask(ctx, r); err != nil {
		return err
	}
	select {
	case err := <-r.reload:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b backend) ask(ctx context.Context, r ctlReq) error {
	select {
	case b.requests <- r:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the daemon is busy: %w", ctx.Err())
	}
}

// control answers a request inside the loop: status directly, commands
// as an event for the state machine.
func (d *daemon) control(r ctlReq) cluster.Event {
	if r.reload != nil {
		ev, err := d.reload("understudy reload")
		r.reload <- err
		return ev
	}
	if !r.status {
		d.lastAdmin++
		d.waiting[d.lastAdmin] = r.answers
		return cluster.Admin{Now: time.Now(), Cmd: r.cmd, Set: r.set, Group: r.group, Node: r.node, On: r.on, ID: d.lastAdmin}
	}
	st := control.Status{Node: d.self, Version: d.o.Version, Dir: d.o.Dir, Started: d.start,
		Cluster: d.node.Snapshot(), Groups: d.ops.snapshot(), BadPackets: d.bad.counts()}
	// One entry per link name, as heartbeat shows links: several media
	// on one interface are one link, up while any of them works.
	seen := map[string]int{}
	for _, m := range d.cfg.Media {
		name := m.Iface
		if m.Type == "serial" {
			name = m.Device
		}
		i, ok := seen[name]
		if !ok {
			i = len(st.Links)
			seen[name] = i
			st.Links = append(st.Links, control.LinkStatus{Name: name, Medium: string(m.Type)})
		} else if !strings.Contains(st.Links[i].Medium, string(m.Type)) {
			st.Links[i].Medium += "," + string(m.Type)
		}
	}
	for _, s := range d.linkUp {
		i, ok := seen[s.Link]
		if !ok {
			continue
		}
		if s.Up {
			st.Links[i].Up, st.Links[i].Err = true, ""
		} else if !st.Links[i].Up && s.Err != nil {
			st.Links[i].Err = s.Err.Error()
		}
	}
	d.adminStatus(&st)
	r.reply <- st
	return nil
}

// answer passes the cluster's answers to the operators waiting for them.
// The state machine answers every command it is given at once and gives
// every accepted one exactly one final answer later (cluster.Answer), so
// an entry of waiting lives as long as the command runs.
func (d *daemon) answer(answers []cluster.Answer) {
	for _, a := range answers {
		ch, ok := d.waiting[a.ID]
		if !ok {
			continue
		}
		// The channel has room for both answers; nobody else sends on it.
		ch <- control.Answer{Verdict: a.Verdict.String(), Reason: a.Reason}
		if a.Verdict.Final() {
			close(ch)
			delete(d.waiting, a.ID)
		}
	}
}

// abandonAnswers closes the channels of commands the cluster will never
// answer now (the loop is ending): their clients see no outcome.
func (d *daemon) abandonAnswers() {
	for id, ch := range d.waiting {
		close(ch)
		delete(d.waiting, id)
	}
}
