package transport

import (
	"context"
	"errors"
	"fmt"

	"github.com/understudy-ha/understudy/config"
)

// FramingOf is the framing a medium type carries.
func FramingOf(t config.MediumType) Framing {
	if t == config.Serial {
		return Stream
	}
	return Datagram
}

// LinkName is the name of the link that carries m: the tty path for a
// serial medium, the interface for the others (see Link.Name).
func LinkName(m config.Medium) string {
	if m.Type == config.Serial {
		return m.Device
	}
	return m.Iface
}

// Open opens the link for one configured medium.
func Open(m config.Medium, o Options) (Link, error) {
	switch m.Type {
	case config.Serial:
		l, err := OpenSerial(m, o)
		if err != nil {
			return nil, err
		}
		return l, nil
	case config.Bcast, config.Mcast, config.Ucast, config.Mcast6, config.Ucast6:
		l, err := OpenUDP(m, o)
		if err != nil {
			return nil, err
		}
		return l, nil
	}
	return nil, badMedium{fmt.Errorf("open %s: unknown medium type %q", m, m.Type)}
}

// OpenAll returns a Fanout with a link for every medium, opened before
// it returns where that works. A link that fails to open (a serial port
// still locked by a daemon that just died, an interface not there yet),
// or fails later (a USB adapter unplugged, an interface deleted), stays
// in the Fanout and is reopened in the background, with backoff
// (retryMin doubling to retryMax); its state goes to Options.Status once
// per change: down with the cause, then up. UDP links are reopened in
// the network namespace of the thread that called OpenAll. The error
// joins the media that no retry can open (the medium or the Options are
// wrong); those are left out.
func OpenAll(media []config.Medium, o Options) (*Fanout, error) {
	f := NewFanout()
	var errs []error
	for _, m := range media {
		if err := f.addMedium(m, o); err != nil {
			errs = append(errs, err)
		}
	}
	return f, errors.Join(errs...)
}

// addMedium opens m on the calling thread and adds it as a member that
// keeps it open. It fails only for a bad medium.
func (f *Fanout) addMedium(m config.Medium, o Options) error {
	mb := newMember(LinkName(m), m.String(), FramingOf(m.Type))
	if mb.framing == Datagram {
		mb.ns = currentNetns()
	}
	return f.keep(mb, func(o Options) (Link, error) { return Open(m, o) }, o)
}

// keep opens a link with open, here, and adds mb, which keeps it open
// by calling open again with backoff whenever the link is not open. It
// fails, leaving nothing behind, if open says the medium is bad or f is
// closed.
func (f *Fanout) keep(mb *member, open func(Options) (Link, error), o Options) error {
	mb.st = newReporter(mb.name, mb.medium, o.Status, mb.done)
	ctx, cancel := context.WithCancel(context.Background())
	o.st, o.ctx, mb.cancel = mb.st, ctx, cancel
	mb.opts, mb.open = o, open
	mb.st.start(&mb.wg)
	l, err := open(o)
	if err != nil && errors.As(err, new(badMedium)) {
		mb.close()
		return err
	}
	mb.record(l, err)
	if err := f.add(mb); err != nil {
		mb.close()
		return fmt.Errorf("add %s to fan-out: %w", mb.name, err)
	}
	return nil
}
