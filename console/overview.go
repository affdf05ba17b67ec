package console

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/cluster"
)

// statusTimeout bounds gathering the views for one page or update.
const statusTimeout = 5 * time.Second

// overviewPage is the overview page's model.
type overviewPage struct {
	Overview overview
	Answers  []answer
	Err      string
}

// views gathers the nodes' views: this node's status, and the others'
// when Options.Cluster is set. A cluster that cannot be asked leaves
// this node's view and an error to show.
func (c *Console) views(ctx context.Context) (string, []NodeView, error) {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	st, err := c.o.Backend.Status(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("the daemon did not answer: %w", err)
	}
	if c.o.Cluster == nil {
		return st.Node, []NodeView{localView(st)}, nil
	}
	vs, err := c.o.Cluster(ctx)
	if !slices.ContainsFunc(vs, func(v NodeView) bool { return v.Node == st.Node }) {
		vs = append(vs, localView(st))
	}
	if err != nil {
		err = fmt.Errorf("the other nodes' views could not all be had: %w", err)
	}
	return st.Node, vs, err
}

// canCommand says whether standby and takeover can be sent to node.
func (c *Console) canCommand(self string) func(string) bool {
	return func(node string) bool { return node == self || c.o.Command != nil }
}

func (c *Console) overview(ctx context.Context, req request) (overview, error) {
	self, vs, err := c.views(ctx)
	ov := buildOverview(self, vs, c.canCommand(self))
	ov.CSRF = req.s.csrf
	return ov, err
}

func (c *Console) overviewPage(w http.ResponseWriter, r *http.Request, req request) {
	ov, err := c.overview(r.Context(), req)
	d := overviewPage{Overview: ov, Answers: req.s.answers}
	if err != nil {
		d.Err = err.Error()
	}
	c.render(w, r, http.StatusOK, "overview", pageData{Title: "Overview", Node: ov.Self, CSRF: req.s.csrf, Data: d})
}

// overviewLive is the cluster part of the overview page, which the page
// asks for every second.
func (c *Console) overviewLive(w http.ResponseWriter, r *http.Request, req request) {
	ov, err := c.overview(r.Context(), req)
	d := overviewPage{Overview: ov}
	if err != nil {
		d.Err = err.Error()
	}
	c.fragment(w, "cluster", d)
}

// The actions of the overview page.
const (
	actStandby  = "standby"  // node: give all its groups away
	actTakeover = "takeover" // node: take all groups
	actMove     = "move"     // group to node
	actClear    = "clear"    // group's failure marks, on every node
)

// maxField bounds a node name or group key in an action.
const maxField = 256

func okField(s string) bool {
	if s == "" || len(s) > maxField || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// parseAction reads an action form: what it does in words, the command
// and the node to send it to.
func parseAction(do, node, group, self string) (what string, cmd admin.Command, to string, err error) {
	if do != actClear && !okField(node) {
		return "", cmd, "", fmt.Errorf("node %q: want a node name", node)
	}
	if (do == actMove || do == actClear) && !okField(group) {
		return "", cmd, "", fmt.Errorf("group %q: want a group", group)
	}
	switch do {
	case actStandby:
		return "standby of " + node, admin.Standby(cluster.SetAll), node, nil
	case actTakeover:
		return "takeover by " + node, admin.Takeover(cluster.SetAll), node, nil
	case actMove:
		return "move " + group + " to " + node, admin.Move(group, node), self, nil
	case actClear:
		return "clear the failures of " + group, admin.Clear(group), self, nil
	}
	return "", cmd, "", fmt.Errorf("unknown action %q", do)
}

// action carries out an action of the overview page, logs it with its
// source and answer, keeps the answer for the page and goes back to it.
func (c *Console) action(w http.ResponseWriter, r *http.Request, req request) {
	ctx, cancel := context.WithTimeout(r.Context(), statusTimeout)
	defer cancel()
	self := c.nodeName(ctx)
	what, cmd, to, err := parseAction(r.PostFormValue("do"), r.PostFormValue("node"), r.PostFormValue("group"), self)
	if err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "Refused: "+err.Error()+".")
		return
	}
	a, err := c.send(ctx, self, to, cmd)
	args := []any{"cmd", cmd.Name}
	for _, k := range slices.Sorted(maps.Keys(cmd.Args)) {
		args = append(args, k, cmd.Args[k])
	}
	args = append(args, "to", to, "source", r.RemoteAddr, "session", req.s.tag)
	if err != nil {
		c.log.Warn("console command failed", append(args, "err", err)...)
		a = admin.Answer{Verdict: "failed", Reason: err.Error()}
	} else {
		c.log.Info("console command", append(args, "verdict", a.Verdict, "reason", a.Reason)...)
	}
	c.remember(req.id, answer{Time: time.Now(), What: what, Verdict: a.Verdict, Reason: a.Reason})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// send sends cmd to node to: this node's backend, or Options.Command.
func (c *Console) send(ctx context.Context, self, to string, cmd admin.Command) (admin.Answer, error) {
	switch {
	case to == self:
		return c.o.Backend.Command(ctx, cmd)
	case c.o.Command != nil:
		return c.o.Command(ctx, to, cmd)
	}
	return admin.Answer{Verdict: admin.Refused,
		Reason: fmt.Sprintf("this console sends commands to %s only: open %s's console", self, to)}, nil
}
