package daemon

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/understudy-ha/understudy/admin"
	"github.com/understudy-ha/understudy/config"
	"github.com/understudy-ha/understudy/control"
	"github.com/understudy-ha/understudy/transport"
	"github.com/understudy-ha/understudy/transport/session"
)

// A node with an admin port announces it to the others over the
// heartbeat links, signed with authkeys like every cluster message: its
// listen addresses and its certificate's fingerprint. Status reports
// what the others announced, so that `understudy status --cluster` and
// `log --cluster`, given one node, find the others' admin ports and
// know their certificates. heartbeat's nodes ignore a message type they
// do not know.

// msgAdmin is the announcement's message type; its fields are listen
// (the addresses, separated by spaces) and fp (the fingerprint).
const msgAdmin = "understudy-admin"

// announceEvery repeats the announcement, for a node that restarted or
// missed it; it is also sent when a node comes up and when the port
// (re)starts.
const announceEvery = time.Minute

// maxPeerAddrs bounds the addresses kept of one node.
const maxPeerAddrs = 16

// peerPort is what a node announced of its admin port.
type peerPort struct {
	// addrs are its listen addresses; wild the ports of those that are
	// a wildcard (":9050"), reachable at any of its addresses, of which
	// via holds those its announcements came from.
	addrs, wild, via []string
	fp               string
	heard            time.Time
}

// announceAdmin sends this node's admin port to the others when it is
// due (force: now).
func (d *daemon) announceAdmin(now time.Time, force bool) {
	srv := d.admin.srv
	if srv == nil || !force && !d.admin.announced.IsZero() && now.Sub(d.admin.announced) < announceEvery {
		return
	}
	d.admin.announced = now
	var listen []string
	for _, a := range srv.Addrs() {
		listen = append(listen, a.String())
	}
	m := session.Message{Type: msgAdmin, Fields: []session.Field{
		{Name: "listen", Value: strings.Join(listen, " ")}, {Name: "fp", Value: srv.Fingerprint()}}}
	o, err := d.sess.Encode(m, now)
	if err != nil {
		d.log.Error("cannot encode the admin port announcement", "err", err)
		return
	}
	d.send(o)
}

// heardAdmin records a node's announcement; dup is another copy of the
// last one, from another link.
func (d *daemon) heardAdmin(f transport.Frame, m session.Message, dup bool, now time.Time) {
	if d.admin.peers == nil {
		d.admin.peers = map[string]*peerPort{}
	}
	p := d.admin.peers[m.Src]
	if !dup || p == nil {
		np, err := parseAnnouncement(m, vouches(d.cfg.Auth))
		if err != nil {
			d.log.Warn("admin port announcement ignored", "from", m.Src, "link", f.Link, "err", err)
			return
		}
		p = np
		d.admin.peers[m.Src] = p
	}
	p.heard = now
	if !f.From.IsValid() {
		return // a serial line
	}
	host := f.From.Addr().Unmap().WithZone("").String()
	for _, port := range p.wild {
		if a := net.JoinHostPort(host, port); !slices.Contains(p.via, a) && len(p.via) < maxPeerAddrs {
			p.via = append(p.via, a)
		}
	}
}

// parseAnnouncement reads an announcement; the fingerprint is kept only
// when vouch.
func parseAnnouncement(m session.Message, vouch bool) (*peerPort, error) {
	p := &peerPort{}
	var listen, fp string
	for _, f := range m.Fields {
		switch f.Name {
		case "listen":
			listen = f.Value
		case "fp":
			fp = f.Value
		}
	}
	words := strings.Fields(listen)
	if len(words) == 0 || len(words) > maxPeerAddrs {
		return nil, fmt.Errorf("listen %q: want 1 to %d addresses", listen, maxPeerAddrs)
	}
	for _, w := range words {
		ap, err := netip.ParseAddrPort(w)
		if err != nil || ap.Port() == 0 || ap.Addr().Zone() != "" {
			return nil, fmt.Errorf("listen address %q: want IP:PORT", w)
		}
		if ap.Addr().IsUnspecified() {
			p.wild = append(p.wild, strconv.Itoa(int(ap.Port())))
			continue
		}
		p.addrs = append(p.addrs, ap.String())
	}
	if _, err := admin.ParseFingerprint(fp); err != nil {
		return nil, fmt.Errorf("fp: %v", err)
	}
	if vouch {
		p.fp = fp
	}
	return p, nil
}

// vouches reports whether an announcement's signature vouches for the
// fingerprint it carries: not when authkeys has a crc key, which lets
// anyone on a link forge messages.
func vouches(a config.AuthKeys) bool {
	for _, k := range a.Keys {
		if k.Method == config.CRC {
			return false
		}
	}
	return true
}

// peerPorts lists the announced admin ports of the nodes of ha.cf.
func (d *daemon) peerPorts() []control.AdminPeer {
	var out []control.AdminPeer
	for _, n := range d.cfg.Nodes {
		p, ok := d.admin.peers[n]
		if !ok || n == d.self {
			continue
		}
		out = append(out, control.AdminPeer{Node: n, Addrs: append(slices.Clone(p.addrs), p.via...),
			Fingerprint: p.fp, Heard: p.heard})
	}
	return out
}
